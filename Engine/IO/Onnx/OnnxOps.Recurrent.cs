namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Recurrent layers RNN, GRU and LSTM (forward, reverse, bidirectional; layout 0 or 1; optional
    /// bias, sequence lengths, initial states and LSTM peepholes; Sigmoid/Tanh/Relu activations; clip).
    /// Evaluated step by step in double precision.</summary>
    private static void AddRecurrent(Dictionary<string, OnnxKernel> d)
    {
        d["RNN"] = c => Recurrent(c, 1, ["Tanh"]);
        d["GRU"] = c => Recurrent(c, 3, ["Sigmoid", "Tanh"]);
        d["LSTM"] = c => Recurrent(c, 4, ["Sigmoid", "Tanh", "Tanh"]);
    }

    private static Func<double, double> Activation(OnnxContext c, string name) => name.ToLowerInvariant() switch
    {
        "sigmoid" => v => 1 / (1 + Math.Exp(-v)),
        "tanh" => Math.Tanh,
        "relu" => v => Math.Max(0, v),
        _ => throw c.Unsupported($"activation '{name}'"),
    };

    private static Tensor?[] Recurrent(OnnxContext c, int gates, string[] defaults)
    {
        var op = c.Node.OpType;
        if (c.Int("input_forget", 0) != 0) throw c.Unsupported("input_forget");
        var layout = c.Int("layout", 0);
        var x = c.X(0);
        if (x.Rank != 3) throw new OnnxFormatException($"ONNX: {op} input expected rank 3, got {x.Shape}.");
        if (layout != 0) x = x.Permute(1, 0, 2);
        var (w, r) = (c.X(1).ToDoubleArray(), c.X(2).ToDoubleArray());
        int seq = x.Shape[0], batch = x.Shape[1], input = x.Shape[2];
        var hidden = (int)c.Int("hidden_size", c.X(2).Shape[2]);
        var direction = c.Str("direction", "forward");
        var dirs = direction == "bidirectional" ? 2 : 1;
        if (c.X(1).Shape.ToArray() is not [var wd, var wg, var wi] || wd != dirs || wg != gates * hidden || wi != input)
            throw new OnnxFormatException($"ONNX: {op} W expected [{dirs}, {gates * hidden}, {input}], got {c.X(1).Shape}.");
        CheckSize((long)seq * dirs * batch * hidden, c);
        var names = c.Attr("activations")?.Strings is { Length: > 0 } acts ? acts : [.. Enumerable.Repeat(defaults, dirs).SelectMany(a => a)];
        if (names.Length != defaults.Length * dirs) throw new OnnxFormatException($"ONNX: {op} expected {defaults.Length * dirs} activations, got {names.Length}.");
        var clip = c.Attr("clip") is { } cl ? (double)cl.F : double.PositiveInfinity;
        var b = c.Opt(3)?.ToDoubleArray();
        var lens = c.Opt(4) is { } sl ? OnnxContext.Longs(sl) : [.. Enumerable.Repeat((long)seq, batch)];
        Tensor? InitState(int i) => c.Opt(i) is { } t ? (layout != 0 ? t.Permute(1, 0, 2) : t) : null;
        var h0 = InitState(5)?.ToDoubleArray();
        var c0 = gates == 4 ? InitState(6)?.ToDoubleArray() : null;
        var p = gates == 4 ? c.Opt(7)?.ToDoubleArray() : null;
        var linearBeforeReset = c.Int("linear_before_reset", 0) != 0;
        var xs = x.ToDoubleArray();
        var y = new double[(long)seq * dirs * batch * hidden];
        var yh = new double[(long)dirs * batch * hidden];
        var yc = new double[(long)dirs * batch * hidden];
        for (var dir = 0; dir < dirs; dir++)
        {
            var f = names.Skip(dir * defaults.Length).Take(defaults.Length).Select(n => Activation(c, n)).ToArray();
            var reverse = direction == "reverse" || dir == 1;
            long wOff = (long)dir * gates * hidden * input, rOff = (long)dir * gates * hidden * hidden, bOff = (long)dir * 2 * gates * hidden;
            for (var n = 0; n < batch; n++)
            {
                var h = new double[hidden];
                var cell = new double[hidden];
                for (var k = 0; k < hidden; k++)
                {
                    h[k] = h0?[((long)dir * batch + n) * hidden + k] ?? 0;
                    cell[k] = c0?[((long)dir * batch + n) * hidden + k] ?? 0;
                }
                var len = (int)Math.Clamp(lens[n], 0, seq);
                var gx = new double[gates * hidden];
                var gh = new double[gates * hidden];
                for (var s = 0; s < len; s++)
                {
                    var t = reverse ? len - 1 - s : s;
                    for (var g = 0; g < gates * hidden; g++)
                    {
                        double ax = b?[bOff + g] ?? 0, ah = b?[bOff + gates * hidden + g] ?? 0;
                        for (var i = 0; i < input; i++) ax += w[wOff + (long)g * input + i] * xs[((long)t * batch + n) * input + i];
                        for (var i = 0; i < hidden; i++) ah += r[rOff + (long)g * hidden + i] * h[i];
                        (gx[g], gh[g]) = (ax, ah);
                    }
                    double Clip(double v) => Math.Clamp(v, -clip, clip);
                    var next = new double[hidden];
                    for (var k = 0; k < hidden; k++)
                    {
                        if (gates == 1) next[k] = f[0](Clip(gx[k] + gh[k]));
                        else if (gates == 3)
                        {
                            var z = f[0](Clip(gx[k] + gh[k]));
                            var rg = f[0](Clip(gx[hidden + k] + gh[hidden + k]));
                            double pre;
                            if (linearBeforeReset) pre = gx[2 * hidden + k] + rg * gh[2 * hidden + k];
                            else
                            {
                                pre = gx[2 * hidden + k] + (b?[bOff + gates * hidden + 2 * hidden + k] ?? 0);
                                for (var i = 0; i < hidden; i++) pre += r[rOff + (long)(2 * hidden + k) * hidden + i] * rg * h[i];
                            }
                            next[k] = (1 - z) * f[1](Clip(pre)) + z * h[k];
                        }
                        else
                        {
                            double pi = p?[(long)dir * 3 * hidden + k] ?? 0, po = p?[(long)dir * 3 * hidden + hidden + k] ?? 0, pf = p?[(long)dir * 3 * hidden + 2 * hidden + k] ?? 0;
                            var ig = f[0](Clip(gx[k] + gh[k] + pi * cell[k]));
                            var fg = f[0](Clip(gx[2 * hidden + k] + gh[2 * hidden + k] + pf * cell[k]));
                            var cg = f[1](Clip(gx[3 * hidden + k] + gh[3 * hidden + k]));
                            var ct = fg * cell[k] + ig * cg;
                            var og = f[0](Clip(gx[hidden + k] + gh[hidden + k] + po * ct));
                            cell[k] = ct;
                            next[k] = og * f[2](ct);
                        }
                    }
                    h = next;
                    for (var k = 0; k < hidden; k++) y[(((long)t * dirs + dir) * batch + n) * hidden + k] = h[k];
                }
                for (var k = 0; k < hidden; k++)
                {
                    yh[((long)dir * batch + n) * hidden + k] = h[k];
                    yc[((long)dir * batch + n) * hidden + k] = cell[k];
                }
            }
        }
        var dtype = c.X(0).DType;
        var yt = FromDoubles(y, new Shape(seq, dirs, batch, hidden), dtype);
        var yht = FromDoubles(yh, new Shape(dirs, batch, hidden), dtype);
        var yct = FromDoubles(yc, new Shape(dirs, batch, hidden), dtype);
        if (layout != 0)
        {
            yt = yt.Permute(2, 0, 1, 3).Contiguous();
            yht = yht.Permute(1, 0, 2).Contiguous();
            yct = yct.Permute(1, 0, 2).Contiguous();
        }
        return gates == 4 ? [yt, yht, yct] : [yt, yht];
    }
}
