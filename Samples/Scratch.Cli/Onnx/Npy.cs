using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Scratch.Cli.Onnx;

/// <summary>Reads and writes NumPy .npy files (format 1.0–3.0, C order, little-endian f4, f8, i4, i8, u1, b1).
/// </summary>
internal static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file into a Cpu tensor.</summary>
    public static Tensor Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"npy: '{path}' expected the \\x93NUMPY magic.");
        int major = bytes[6];
        int headerLen, start;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); start = 10; }
        else { headerLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); start = 12; }
        if (headerLen < 0 || start + headerLen > bytes.Length) throw new InvalidDataException($"npy: '{path}' header truncated.");
        var header = Encoding.ASCII.GetString(bytes, start, headerLen);
        var descr = DescrRe().Match(header).Groups[1].Value;
        if (FortranRe().Match(header).Groups[1].Value == "True") throw new InvalidDataException($"npy: '{path}' Fortran order unsupported.");
        var shapeText = ShapeRe().Match(header).Groups[1].Value;
        var dims = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var shape = new Shape(dims);
        var data = bytes.AsSpan(start + headerLen);
        var (dtype, size) = descr switch
        {
            "<f4" => (DType.F32, 4),
            "<f8" => (DType.F64, 8),
            "<i4" => (DType.I32, 4),
            "<i8" => (DType.I64, 8),
            "|u1" => (DType.U8, 1),
            "|b1" => (DType.Bool, 1),
            _ => throw new InvalidDataException($"npy: '{path}' dtype '{descr}' unsupported (f4, f8, i4, i8, u1, b1)."),
        };
        if (data.Length < shape.Numel * size)
            throw new InvalidDataException($"npy: '{path}' expected {shape.Numel * size} data bytes, got {data.Length}.");
        var raw = data[..(int)(shape.Numel * size)].ToArray();
        var proto = new Scratch.IO.Onnx.OnnxTensorProto("", [.. dims.Select(d => (long)d)],
            Scratch.IO.Onnx.OnnxTensors.FromDType(dtype), raw, [], [], [], [], [], 0, false);
        return Scratch.IO.Onnx.OnnxTensors.ToTensor(proto);
    }

    /// <summary>Writes a tensor as a version-1.0 .npy file.</summary>
    public static void Write(string path, Tensor t)
    {
        var descr = t.DType switch
        {
            DType.F32 => "<f4",
            DType.F64 => "<f8",
            DType.I32 => "<i4",
            DType.I64 => "<i8",
            DType.U8 => "|u1",
            _ => "|b1",
        };
        var dims = t.Shape.ToArray();
        var shape = dims.Length == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var f = File.Create(path);
        f.Write(Magic);
        f.Write([1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        f.Write(len);
        f.Write(Encoding.ASCII.GetBytes(header));
        f.Write(Scratch.IO.Onnx.OnnxTensors.RawBytes(t));
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRe();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRe();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRe();
}
