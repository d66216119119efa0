using Scratch.Data;
using Scratch.Data.Coco;
using Scratch.Data.Images;

namespace Scratch.Models.Common.Training;

/// <summary>A COCO-format split on disk: the instances file and the folder of its images. Loads image i (in the
/// file's image order) as a <see cref="DetectionSample"/>: RGB pixels scaled to [0, 1] in <c>[3, H, W]</c>, boxes
/// x1, y1, x2, y2 from the annotations' <c>[x, y, w, h]</c>, contiguous labels (<see cref="CocoDataset.LabelOf"/>),
/// no masks, and the COCO image id as <see cref="DetectionSample.Tag"/>. Crowd annotations and boxes with zero width
/// or height are left out of training samples (the ground truth used for evaluation keeps them, as pycocotools does).
/// </summary>
public sealed class CocoImageFolder
{
    /// <summary>Reads <paramref name="annotationsPath"/> (zero-size boxes kept) with images under
    /// <paramref name="imageDirectory"/>.</summary>
    /// <exception cref="CocoFormatException">An invalid instances file.</exception>
    /// <exception cref="DirectoryNotFoundException">The image folder is missing.</exception>
    public CocoImageFolder(string annotationsPath, string imageDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(annotationsPath);
        ArgumentException.ThrowIfNullOrEmpty(imageDirectory);
        if (!File.Exists(annotationsPath))
            throw new FileNotFoundException($"CocoImageFolder: annotations file '{annotationsPath}' does not exist.", annotationsPath);
        if (!Directory.Exists(imageDirectory))
            throw new DirectoryNotFoundException($"CocoImageFolder: image folder '{imageDirectory}' does not exist.");
        AnnotationsPath = annotationsPath;
        ImageDirectory = imageDirectory;
        Dataset = CocoDataset.Read(annotationsPath, DegenerateBoxPolicy.Keep);
    }

    /// <summary>The split <paramref name="split"/> of a folder written by <c>scratch data fashiondet</c> (or any folder
    /// with the same layout): <c>DIR/annotations/instances_SPLIT.json</c> and <c>DIR/images/SPLIT/</c>.</summary>
    public static CocoImageFolder FromDataRoot(string dataRoot, string split)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataRoot);
        ArgumentException.ThrowIfNullOrEmpty(split);
        return new CocoImageFolder(Path.Combine(dataRoot, "annotations", $"instances_{split}.json"), Path.Combine(dataRoot, "images", split));
    }

    /// <summary>The instances file.</summary>
    public string AnnotationsPath { get; }

    /// <summary>The folder holding the images' <c>file_name</c>s.</summary>
    public string ImageDirectory { get; }

    /// <summary>The parsed instances file (the ground truth of evaluation).</summary>
    public CocoDataset Dataset { get; }

    /// <summary>Number of images.</summary>
    public int Count => Dataset.Images.Count;

    /// <summary>Number of foreground classes (categories).</summary>
    public int NumClasses => Dataset.NumClasses;

    /// <summary>Category names by contiguous label.</summary>
    public IReadOnlyList<string> ClassNames => [.. Dataset.Categories.Select(c => c.Name)];

    /// <summary>Image <paramref name="index"/> as a sample (no transform applied).</summary>
    /// <exception cref="IOException">The PNG is missing or unreadable.</exception>
    /// <exception cref="InvalidDataException">The PNG's size differs from the instances file's.</exception>
    public DetectionSample Load(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var info = Dataset.Images[index];
        return new DetectionSample(ReadImage(Path.Combine(ImageDirectory, info.FileName), info.Height, info.Width),
            3, info.Height, info.Width, BoxesOf(info.Id, out var labels), labels, null, info.Id);
    }

    /// <summary>Reads a PNG as RGB floats in [0, 1], <c>[3, H, W]</c> (grey is replicated, alpha dropped); when
    /// <paramref name="expectHeight"/> / <paramref name="expectWidth"/> are given the size must match.</summary>
    public static float[] ReadImage(string path, int? expectHeight = null, int? expectWidth = null)
    {
        var png = PngReader.Read(path);
        if ((expectHeight is { } eh && eh != png.Height) || (expectWidth is { } ew && ew != png.Width))
            throw new InvalidDataException($"CocoImageFolder: image '{path}' is {png.Width}x{png.Height}, the annotations say {expectWidth}x{expectHeight}.");
        var plane = png.Height * png.Width;
        var rgb = new float[3 * plane];
        var ch = png.Channels;
        for (var i = 0; i < plane; i++)
            for (var c = 0; c < 3; c++)
                rgb[c * plane + i] = png.Pixels[i * ch + (ch >= 3 ? c : 0)] / 255f;
        return rgb;
    }

    private float[] BoxesOf(long imageId, out int[] labels)
    {
        var anns = Dataset.AnnotationsOf(imageId).Where(a => !a.IsCrowd && a.Bbox[2] > 0 && a.Bbox[3] > 0).ToArray();
        var boxes = new float[anns.Length * 4];
        labels = new int[anns.Length];
        for (var k = 0; k < anns.Length; k++)
        {
            var b = anns[k].Bbox;
            (boxes[4 * k], boxes[4 * k + 1], boxes[4 * k + 2], boxes[4 * k + 3]) = ((float)b[0], (float)b[1], (float)(b[0] + b[2]), (float)(b[1] + b[3]));
            labels[k] = Dataset.LabelOf(anns[k].CategoryId);
        }
        return boxes;
    }
}
