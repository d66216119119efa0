namespace Scratch.Data.Coco;

/// <summary>A COCO segmentation: either polygons (each <c>[x0, y0, x1, y1, ...]</c> in pixels) or a run-length
/// encoded mask (<see cref="CocoRle"/>), remembering whether the RLE counts were written compressed.</summary>
public sealed class CocoSegmentation
{
    private CocoSegmentation(IReadOnlyList<double[]>? polygons, CocoRle? rle, bool compressed)
    {
        Polygons = polygons;
        Rle = rle;
        IsCompressed = compressed;
    }

    /// <summary>The polygons, or null for an RLE segmentation.</summary>
    public IReadOnlyList<double[]>? Polygons { get; }

    /// <summary>The RLE mask, or null for a polygon segmentation.</summary>
    public CocoRle? Rle { get; }

    /// <summary>Whether the RLE counts are (to be) written as the compressed string.</summary>
    public bool IsCompressed { get; }

    /// <summary>A polygon segmentation.</summary>
    public static CocoSegmentation FromPolygons(IReadOnlyList<double[]> polygons) =>
        new(polygons ?? throw new ArgumentNullException(nameof(polygons)), null, false);

    /// <summary>An RLE segmentation; <paramref name="compressed"/> picks the counts format when written.</summary>
    public static CocoSegmentation FromRle(CocoRle rle, bool compressed = true) =>
        new(null, rle ?? throw new ArgumentNullException(nameof(rle)), compressed);

    /// <summary>The mask in an image of <paramref name="height"/> × <paramref name="width"/> (polygons are rasterised
    /// and merged; an RLE is returned as is).</summary>
    public CocoRle ToRle(int height, int width) => Rle ?? CocoPolygon.ToRle(Polygons!, height, width);
}
