using Scratch.Tests.Properties;
using Xunit;
using static Scratch.Tests.Ops.Detection.DetectionArbs;

namespace Scratch.Tests.Ops.Detection;

public class SoftNmsTests
{
    [FsCheck.Xunit.Property(Arbitrary = [typeof(DetectionArbs)], MaxTest = 100, QuietOnSuccess = true)]
    public void Hard_soft_nms_is_nms_and_decay_only_lowers_scores(BoxCase c)
    {
        var boxes = RandomBoxes(c.N, c.Seed);
        var scores = Values.Uniform(new Shape(c.N), c.Seed + 1, DType.F64, 0.01, 1);
        var s0 = scores.ToDoubleArray();
        foreach (var thr in new[] { 0.3, 0.5, 0.7 })
        {
            var (hard, hardScores) = F.SoftNms(boxes, scores, thr, scoreThreshold: 1e-9, method: SoftNmsMethod.Hard);
            Assert.Equal(F.Nms(boxes, scores, thr).ToArray<long>(), hard.ToArray<long>());
            Verify.Close(hard.ToArray<long>().Select(i => s0[i]).ToArray(), hardScores.ToDoubleArray(), 0, 0);
            foreach (var method in new[] { SoftNmsMethod.Linear, SoftNmsMethod.Gaussian })
            {
                var (kept, s) = F.SoftNms(boxes, scores, thr, 0.5, 0.05, method);
                var k = kept.ToArray<long>();
                var v = s.ToDoubleArray();
                Assert.Equal(k.Length, k.Distinct().Count());
                for (var q = 0; q < k.Length; q++)
                {
                    Assert.InRange(v[q], 0.05, s0[k[q]]);
                    if (q > 0) Assert.True(v[q] <= v[q - 1], "selection order is by decayed score");
                }
                var (cpu, reference) = (F.SoftNms(boxes, scores, thr, 0.5, 0.05, method),
                    F.SoftNms(boxes.To(Device.Reference), scores.To(Device.Reference), thr, 0.5, 0.05, method));
                Assert.Equal(cpu.Kept.ToArray<long>(), reference.Kept.ToArray<long>());
                Verify.Close(cpu.Scores, reference.Scores.To(Device.Cpu), 0, 0);
            }
        }
        // Linear with threshold 1 never decays: every box, by score.
        var (all, allScores) = F.SoftNms(boxes, scores, 1.0, scoreThreshold: 0);
        Assert.Equal(F.Argsort(scores, descending: true, stable: true).ToArray<long>(), all.ToArray<long>());
        Verify.Close(s0.OrderDescending().ToArray(), allScores.ToDoubleArray(), 0, 0);
    }

    [Fact]
    public void Known_values_match_the_mmcv_algorithm()
    {
        // Boxes A..E; IoU(A, B) = 0.5, IoU(A, D) = 90/110, C is disjoint from all.
        var b = Tensor.FromDoubles([0, 0, 10, 10, 0, 0, 10, 5, 20, 20, 30, 30, 1, 0, 11, 10, 2, 1, 9,
            8], new Shape(5, 4), DType.F64);
        var s = Tensor.FromDoubles([0.9, 0.8, 0.7, 0.85, 0.3], new Shape(5), DType.F64);
        // python: soft_nms(B, S, 0.3, 0.5, 0.001, linear), a line-by-line transcription of mmcv's soft_nms_cpu
        Check(F.SoftNms(b, s, 0.3, 0.5, 0.001, SoftNmsMethod.Linear), [0, 2, 1, 4, 3],
            [0.9, 0.7, 0.4, 0.09266197183098593, 0.04503896103896102]);
        // python: soft_nms(B, S, 0.3, 0.5, 0.2, linear)
        Check(F.SoftNms(b, s, 0.3, 0.5, 0.2, SoftNmsMethod.Linear), [0, 2, 1], [0.9, 0.7, 0.4]);
        // python: soft_nms(B, S, 0.3, 0.5, 0.001, gaussian)
        Check(F.SoftNms(b, s, 0.3, 0.5, 0.001, SoftNmsMethod.Gaussian), [0, 2, 1, 3, 4],
            [0.9, 0.7, 0.4852245277701068, 0.15432278810992975, 0.08412746420287578]);
        // python: soft_nms(B, S, 0.3, 0.5, 0.001, hard)
        Check(F.SoftNms(b, s, 0.3, 0.5, 0.001, SoftNmsMethod.Hard), [0, 2], [0.9, 0.7]);
    }

    private static void Check((Tensor Kept, Tensor Scores) r, long[] kept, double[] scores)
    {
        Assert.Equal(kept, r.Kept.ToArray<long>());
        Verify.Close(scores, r.Scores.ToDoubleArray(), 1e-15, 1e-13);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var b = Tensor.Zeros(new Shape(3, 4), DType.F64);
        var s = Tensor.Zeros(new Shape(3), DType.F64);
        Assert.Contains("sigma", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.SoftNms(b, s, sigma: 0, method: SoftNmsMethod.Gaussian)).Message);
        Assert.Contains("scores", Assert.Throws<ShapeMismatchException>(
            () => F.SoftNms(b, Tensor.Zeros(new Shape(2), DType.F64))).Message);
        Assert.Contains("boxes", Assert.Throws<ShapeMismatchException>(
            () => F.SoftNms(Tensor.Zeros(new Shape(4), DType.F64), s)).Message);
        Assert.Contains("method", Assert.Throws<ArgumentOutOfRangeException>(
            () => F.SoftNms(b, s, method: (SoftNmsMethod)9)).Message);
    }
}
