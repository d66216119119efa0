namespace Scratch.Data.FashionDet;

/// <summary>Procedural backgrounds for FashionDet (stand-ins until real photos are used).</summary>
public static class Backgrounds
{
    /// <summary>A <c>[3, size, size]</c> image in [0, 1]: a linear gradient between two random colours in a random
    /// direction, plus smooth value noise (a random 3..9 grid per channel, bilinearly upsampled, amplitude ≤ 0.25), a
    /// faint random sinusoid (amplitude ≤ 0.08) and per-pixel noise (σ ≤ 0.04), clamped.</summary>
    public static float[] Textured(int size, Generator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        var plane = size * size;
        var img = new float[3 * plane];
        var c0 = new float[3];
        var c1 = new float[3];
        for (var c = 0; c < 3; c++) { c0[c] = (float)rng.NextDouble(); c1[c] = (float)rng.NextDouble(); }
        var angle = rng.NextDouble() * 2 * Math.PI;
        float dx = (float)Math.Cos(angle), dy = (float)Math.Sin(angle);
        var grid = 3 + (int)rng.NextInt64(7);
        var amp = (float)(0.25 * rng.NextDouble());
        var freq = 2 * Math.PI * (2 + 20 * rng.NextDouble()) / size;
        var wa = rng.NextDouble() * Math.PI;
        float wx = (float)(Math.Cos(wa) * freq), wy = (float)(Math.Sin(wa) * freq);
        var wave = (float)(0.08 * rng.NextDouble());
        var sigma = (float)(0.04 * rng.NextDouble());
        var half = size / 2f;
        for (var c = 0; c < 3; c++)
        {
            var g = new float[grid * grid];
            for (var i = 0; i < g.Length; i++) g[i] = (float)(2 * rng.NextDouble() - 1);
            var noise = ImageKernels.ResizeBilinear(g, 1, grid, grid, 0, 0, grid, grid, size, size);
            for (var r = 0; r < size; r++)
                for (var x = 0; x < size; x++)
                {
                    var t = Math.Clamp(((x - half) * dx + (r - half) * dy) / size + 0.5f, 0f, 1f);
                    var p = r * size + x;
                    img[c * plane + p] = c0[c] + (c1[c] - c0[c]) * t + amp * noise[p] + wave * MathF.Sin(wx * x + wy * r);
                }
        }
        if (sigma > 0)
            for (var i = 0; i < img.Length; i++) img[i] += sigma * (float)rng.NextNormal();
        for (var i = 0; i < img.Length; i++) img[i] = Math.Clamp(img[i], 0f, 1f);
        return img;
    }
}
