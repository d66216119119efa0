using System.Globalization;

namespace Scratch.Data.Visualization;

/// <summary>Class colours: a fixed table of 10 well-separated colours for labels 0–9, then hues stepped by the
/// golden ratio (full saturation, value 0.9) for higher labels; the same label always gets the same colour.</summary>
public static class Palette
{
    private static readonly Rgb[] Table =
    [
        new(0.000f, 0.447f, 0.741f), new(0.850f, 0.325f, 0.098f), new(0.929f, 0.694f, 0.125f), new(0.494f, 0.184f, 0.556f),
        new(0.466f, 0.674f, 0.188f), new(0.301f, 0.745f, 0.933f), new(0.635f, 0.078f, 0.184f), new(1.000f, 0.500f, 0.000f),
        new(0.000f, 0.600f, 0.400f), new(0.900f, 0.200f, 0.700f),
    ];

    /// <summary>The colour of class <paramref name="label"/> (≥ 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative label.</exception>
    public static Rgb ColorOf(int label)
    {
        if (label < 0) throw new ArgumentOutOfRangeException(nameof(label), label, $"Palette.ColorOf: label expected >= 0, got {label}.");
        if (label < Table.Length) return Table[label];
        var h = (label * 0.618033988749895) % 1.0 * 6;
        var (i, f, v) = ((int)h, (float)(h - (int)h), 0.9f);
        var (p, q, t) = (0f, v * (1 - f), v * f);
        return i switch
        {
            0 => new(v, t, p), 1 => new(q, v, p), 2 => new(p, v, t), 3 => new(p, q, v), 4 => new(t, p, v), _ => new(v, p, q),
        };
    }
}

/// <summary>Draws detections onto an image: one box outline per detection in its class colour, a filled label tag
/// above the box (inside it when the box touches the top edge) reading "<c>name score</c>" in the built-in
/// <see cref="BitmapFont"/>, and optional instance masks alpha-blended in the same colour.</summary>
public static class DetectionVisualizer
{
    /// <summary>Returns a copy of <paramref name="image"/> (floating <c>[3, H, W]</c>, values in [0, 1]) with the
    /// detections drawn: <paramref name="boxes"/> <c>[D, 4]</c> x1, y1, x2, y2 in pixels, <paramref name="labels"/>
    /// integer <c>[D]</c>, optional <paramref name="scores"/> <c>[D]</c> (detections below
    /// <paramref name="scoreThreshold"/> are skipped; without scores the tag shows the name only), optional
    /// <paramref name="classNames"/> indexed by label (labels print as numbers without it) and optional
    /// <paramref name="masks"/> <c>[D, H, W]</c> (non-zero = inside) blended with opacity <paramref name="maskAlpha"/>.
    /// Detections are drawn in reverse order so that the first (highest-scoring) ends on top.</summary>
    /// <exception cref="ShapeMismatchException">A tensor of the wrong shape (the message names it).</exception>
    /// <exception cref="DTypeMismatchException">A non-floating image, boxes or scores, or non-integer labels.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative label, a label with no entry in
    /// <paramref name="classNames"/>, or <paramref name="maskAlpha"/> outside [0, 1].</exception>
    /// <exception cref="ArgumentException">A non-finite box or one with x2 &lt; x1 or y2 &lt; y1.</exception>
    public static Tensor Draw(Tensor image, Tensor boxes, Tensor labels, Tensor? scores = null,
        IReadOnlyList<string>? classNames = null, Tensor? masks = null, double scoreThreshold = 0, float maskAlpha = 0.5f,
        int thickness = 2)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(labels);
        const string op = "DetectionVisualizer.Draw";
        var canvas = new Canvas(image);
        if (!boxes.DType.IsFloating()) throw new DTypeMismatchException(op, "boxes", "F32 or F64", boxes.DType.Name());
        if (boxes.Rank != 2 || boxes.Shape.Dims[1] != 4) throw new ShapeMismatchException(op, "boxes", "[D, 4]", boxes.Shape.ToString());
        var d = (int)boxes.Shape.Dims[0];
        if (labels.DType.IsFloating() || labels.DType == DType.Bool) throw new DTypeMismatchException(op, "labels", "an integer dtype", labels.DType.Name());
        if (labels.Rank != 1 || labels.Shape.Dims[0] != d) throw new ShapeMismatchException(op, "labels", $"[{d}]", labels.Shape.ToString());
        if (scores is not null)
        {
            if (!scores.DType.IsFloating()) throw new DTypeMismatchException(op, "scores", "F32 or F64", scores.DType.Name());
            if (scores.Rank != 1 || scores.Shape.Dims[0] != d) throw new ShapeMismatchException(op, "scores", $"[{d}]", scores.Shape.ToString());
        }
        if (masks is not null && (masks.Rank != 3 || masks.Shape.Dims[0] != d || masks.Shape.Dims[1] != canvas.Height || masks.Shape.Dims[2] != canvas.Width))
            throw new ShapeMismatchException(op, "masks", $"[{d}, {canvas.Height}, {canvas.Width}]", masks.Shape.ToString());
        if (!(maskAlpha >= 0 && maskAlpha <= 1)) throw new ArgumentOutOfRangeException(nameof(maskAlpha), maskAlpha, $"{op}: maskAlpha expected in [0, 1], got {maskAlpha}.");

        var b = boxes.ToDoubleArray();
        var l = labels.ToDoubleArray();
        var s = scores?.ToDoubleArray();
        for (var i = 0; i < d; i++)
        {
            if (l[i] < 0) throw new ArgumentOutOfRangeException(nameof(labels), l[i], $"{op}: labels expected >= 0, got {l[i]} at detection {i}.");
            if (classNames is not null && l[i] >= classNames.Count)
                throw new ArgumentOutOfRangeException(nameof(labels), l[i], $"{op}: labels expected < {classNames.Count} (the number of class names), got {l[i]} at detection {i}.");
            if (!double.IsFinite(b[4 * i]) || !double.IsFinite(b[4 * i + 1]) || !double.IsFinite(b[4 * i + 2]) || !double.IsFinite(b[4 * i + 3])
                || b[4 * i + 2] < b[4 * i] || b[4 * i + 3] < b[4 * i + 1])
                throw new ArgumentException($"{op}: boxes expected finite x1 <= x2, y1 <= y2, got ({b[4 * i]}, {b[4 * i + 1]}, {b[4 * i + 2]}, {b[4 * i + 3]}) at detection {i}.", nameof(boxes));
        }
        var plane = canvas.Height * canvas.Width;
        var maskValues = masks?.ToDoubleArray();
        var maskBytes = new byte[plane];
        for (var i = d - 1; i >= 0; i--)
        {
            if (s is not null && s[i] < scoreThreshold) continue;
            var color = Palette.ColorOf((int)l[i]);
            if (maskValues is not null)
            {
                for (var p = 0; p < plane; p++) maskBytes[p] = maskValues[(long)i * plane + p] != 0 ? (byte)1 : (byte)0;
                canvas.BlendMask(maskBytes, color, maskAlpha);
            }
            canvas.DrawBox(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], color, thickness);
            var name = classNames is not null ? classNames[(int)l[i]] : ((long)l[i]).ToString(CultureInfo.InvariantCulture);
            var text = s is null ? name : string.Create(CultureInfo.InvariantCulture, $"{name} {s[i]:F2}");
            DrawTag(canvas, (int)Math.Floor(b[4 * i]), (int)Math.Floor(b[4 * i + 1]), text, color);
        }
        return canvas.ToTensor(image.Device);
    }

    /// <summary>A filled tag with <paramref name="text"/> whose bottom-left touches (<paramref name="x"/>,
    /// <paramref name="y"/>), moved inside the box when it would leave the top of the image.</summary>
    private static void DrawTag(Canvas canvas, int x, int y, string text, Rgb color)
    {
        var w = BitmapFont.MeasureWidth(text) + 2;
        var h = BitmapFont.GlyphHeight + 2;
        var top = y - h >= 0 ? y - h : y;
        x = Math.Clamp(x, 0, Math.Max(0, canvas.Width - w));
        canvas.FillRect(x, top, x + w, top + h, color, 0.85f);
        canvas.DrawText(x + 1, top + 1, text, color.Luminance > 0.5f ? Rgb.Black : Rgb.White);
    }
}
