using Scratch.Data.Images;

namespace Scratch.Data.Coco;

/// <summary>Loads the images of a <see cref="CocoDataset"/> from a folder as <see cref="DetectionSample"/>s: image
/// <c>[3, H, W]</c> in [0, 1] (grey and RGBA files are converted to RGB), boxes xyxy from the COCO <c>[x, y, w, h]</c>
/// clipped to the image, contiguous labels, and (with <see cref="Masks"/>) instance masks decoded from the polygon or
/// RLE segmentation. Crowd annotations are left out (as detectron2 and torchvision training do). The sample's tag is
/// the COCO image id. Safe to call concurrently (a <see cref="DataLoader{TSample, TBatch}"/> load function).</summary>
/// <remarks>Bad input, each naming the file and the record: a missing image file throws
/// <see cref="FileNotFoundException"/> (image id and file name); a corrupt or truncated image file throws
/// <see cref="InvalidDataException"/>; an image whose decoded size differs from its record, an annotation box that
/// lies entirely outside its image, or a segmentation whose size differs from the image throws
/// <see cref="CocoFormatException"/> naming the annotation id. Unknown category ids are rejected when the
/// <see cref="CocoDataset"/> is read.</remarks>
public sealed class CocoDetectionSource
{
    private readonly CocoDataset _ds;
    private readonly string _imageDir;

    /// <summary>Images of <paramref name="dataset"/> are read from <paramref name="imageDir"/>/file_name.</summary>
    public CocoDetectionSource(CocoDataset dataset, string imageDir, bool masks = true)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(imageDir);
        _ds = dataset;
        _imageDir = imageDir;
        Masks = masks;
    }

    /// <summary>Whether samples carry instance masks.</summary>
    public bool Masks { get; }

    /// <summary>Number of images.</summary>
    public int Count => _ds.Images.Count;

    /// <summary>The dataset's images in order.</summary>
    public IReadOnlyList<CocoImage> Images => _ds.Images;

    /// <summary>Loads image <paramref name="index"/> (position in <see cref="CocoDataset.Images"/>).</summary>
    public DetectionSample Load(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var rec = _ds.Images[index];
        var path = Path.Combine(_imageDir, rec.FileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{_ds.Source}: image id {rec.Id}: image file '{path}' does not exist.", path);
        var px = ImageFile.ReadPixels(path, 3);
        if (px.Width != rec.Width || px.Height != rec.Height)
            throw new CocoFormatException(_ds.Source, $"image id {rec.Id}: '{path}' is {px.Width}x{px.Height}, the record says {rec.Width}x{rec.Height}.");
        int h = px.Height, w = px.Width, plane = h * w;
        var img = new float[3 * plane];
        for (var i = 0; i < plane; i++)
            for (var c = 0; c < 3; c++) img[c * plane + i] = px.Pixels[3 * i + c] / 255f;
        var anns = _ds.AnnotationsOf(rec.Id).Where(a => !a.IsCrowd).ToList();
        var boxes = new float[4 * anns.Count];
        var labels = new int[anns.Count];
        var masks = Masks ? new byte[(long)anns.Count * plane] : null;
        for (var k = 0; k < anns.Count; k++)
        {
            var a = anns[k];
            double x0 = Math.Clamp(a.Bbox[0], 0, w), y0 = Math.Clamp(a.Bbox[1], 0, h);
            double x1 = Math.Clamp(a.Bbox[0] + a.Bbox[2], 0, w), y1 = Math.Clamp(a.Bbox[1] + a.Bbox[3], 0, h);
            if (x1 <= x0 || y1 <= y0)
                throw new CocoFormatException(_ds.Source, $"annotation id {a.Id} (image id {rec.Id}): bbox [{string.Join(", ", a.Bbox)}] lies outside the {w}x{h} image.");
            boxes[4 * k] = (float)x0;
            boxes[4 * k + 1] = (float)y0;
            boxes[4 * k + 2] = (float)x1;
            boxes[4 * k + 3] = (float)y1;
            labels[k] = _ds.LabelOf(a.CategoryId);
            if (masks is null) continue;
            if (a.Segmentation is null)
                throw new CocoFormatException(_ds.Source, $"annotation id {a.Id} (image id {rec.Id}): masks were requested but it has no segmentation.");
            var rle = a.Segmentation.ToRle(h, w);
            if (rle.Height != h || rle.Width != w)
                throw new CocoFormatException(_ds.Source, $"annotation id {a.Id} (image id {rec.Id}): segmentation size {rle.Width}x{rle.Height} differs from the {w}x{h} image.");
            var colMajor = rle.Decode();
            var dst = masks.AsSpan(k * plane, plane);
            for (var c = 0; c < w; c++)
                for (var r = 0; r < h; r++) dst[r * w + c] = colMajor[c * h + r];
        }
        return new DetectionSample(img, 3, h, w, boxes, labels, masks, rec.Id);
    }
}
