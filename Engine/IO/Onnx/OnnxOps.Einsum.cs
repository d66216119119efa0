namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Einsum: explicit ("ij,jk->ik") and implicit ("ij,jk") equations, ellipses (right-aligned,
    /// broadcasting size-1 dims) and repeated labels (diagonals). Evaluated directly: every combination of label
    /// values is visited once, so the work is the product of all label sizes (bounded by the element limit).
    /// </summary>
    private static void AddEinsum(Dictionary<string, OnnxKernel> d) => d["Einsum"] = Einsum;

    private static Tensor?[] Einsum(OnnxContext c)
    {
        var eq = c.Str("equation", "").Replace(" ", "", StringComparison.Ordinal);
        var xs = c.All.Select((t, i) => t ?? c.X(i)).ToArray();
        var arrow = eq.IndexOf("->", StringComparison.Ordinal);
        var lhs = arrow >= 0 ? eq[..arrow] : eq;
        var terms = lhs.Split(',');
        if (terms.Length != xs.Length) throw new OnnxFormatException($"ONNX: Einsum equation '{eq}' expected {xs.Length} terms, got {terms.Length}.");
        var ellRank = 0;
        for (var i = 0; i < xs.Length; i++)
            if (terms[i].Contains("...", StringComparison.Ordinal))
                ellRank = Math.Max(ellRank, xs[i].Rank - (terms[i].Length - 3));
        var ell = string.Concat(Enumerable.Range(0, ellRank).Select(k => (char)(0x100 + k)));
        var labels = new string[xs.Length];
        for (var i = 0; i < xs.Length; i++)
        {
            var t = terms[i];
            if (t.Contains("...", StringComparison.Ordinal))
            {
                var k = xs[i].Rank - (t.Length - 3);
                t = t.Replace("...", ell[(ellRank - k)..], StringComparison.Ordinal);
            }
            if (t.Length != xs[i].Rank || t.Any(ch => ch < 0x100 && !char.IsAsciiLetter(ch)))
                throw new OnnxFormatException($"ONNX: Einsum term '{terms[i]}' does not match input {i} of shape {xs[i].Shape}.");
            labels[i] = t;
        }
        string output;
        if (arrow >= 0) output = eq[(arrow + 2)..].Replace("...", ell, StringComparison.Ordinal);
        else
        {
            var counts = string.Concat(labels).Where(ch => ch < 0x100).GroupBy(ch => ch).Where(g => g.Count() == 1).Select(g => g.Key).Order();
            output = ell + string.Concat(counts);
        }
        var size = new Dictionary<char, int>();
        for (var i = 0; i < xs.Length; i++)
            for (var a = 0; a < labels[i].Length; a++)
            {
                var ch = labels[i][a];
                var n = xs[i].Shape[a];
                if (size.TryGetValue(ch, out var m) && m != n && m != 1 && n != 1)
                    throw new OnnxFormatException($"ONNX: Einsum label '{ch}' has sizes {m} and {n}.");
                size[ch] = Math.Max(n, size.GetValueOrDefault(ch, 1));
            }
        if (output.Any(ch => !size.ContainsKey(ch))) throw new OnnxFormatException($"ONNX: Einsum output '{output}' uses a label no input has.");
        var all = output + string.Concat(size.Keys.Where(ch => !output.Contains(ch)));
        long total = 1, outCount = 1;
        foreach (var ch in all) { total *= size[ch]; CheckSize(total, c); }
        foreach (var ch in output) outCount *= size[ch];
        var data = xs.Select(t => t.ToDoubleArray()).ToArray();
        // Per input, the stride of each label in 'all' (0 for absent or broadcast labels; summed for repeats).
        var strides = new long[xs.Length][];
        for (var i = 0; i < xs.Length; i++)
        {
            strides[i] = new long[all.Length];
            long s = 1;
            for (var a = labels[i].Length - 1; a >= 0; a--)
            {
                if (xs[i].Shape[a] != 1) strides[i][all.IndexOf(labels[i][a], StringComparison.Ordinal)] += s;
                s *= xs[i].Shape[a];
            }
        }
        var y = new double[outCount];
        var pos = new int[all.Length];
        var off = new long[xs.Length];
        for (long k = 0; k < total; k++)
        {
            var prod = 1.0;
            for (var i = 0; i < xs.Length; i++) prod *= data[i][off[i]];
            y[k / (total / Math.Max(outCount, 1))] += prod;
            for (var a = all.Length - 1; a >= 0; a--)
            {
                for (var i = 0; i < xs.Length; i++) off[i] += strides[i][a];
                if (++pos[a] < size[all[a]]) break;
                for (var i = 0; i < xs.Length; i++) off[i] -= strides[i][a] * size[all[a]];
                pos[a] = 0;
            }
        }
        return One(FromDoubles(y, new Shape([.. output.Select(ch => size[ch])]), xs[0].DType));
    }
}
