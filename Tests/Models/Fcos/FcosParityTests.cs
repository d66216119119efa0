using Scratch.IO;
using Scratch.Models.Common.Necks;
using Scratch.Models.Fcos;
using Scratch.NN;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Models.Fcos;

/// <summary>FPN + FCOS head, assignment and losses against Tests/Fixtures/make_fcos_fixture.py (torch 1.13, written
/// from cvpods' semantics): outputs and gradients within 1e-4 relative.</summary>
public class FcosParityTests
{
    private static readonly int[] Strides = [8, 16, 32, 64, 128];
    private static readonly string[] Kinds = ["cls", "box", "ctr", "clst", "boxt"];

    private static StateDict Fixture() =>
        Safetensors.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fcos", "fcos_parity.safetensors")).StateDict;

    private static StateDict Prefixed(StateDict all, string prefix)
    {
        var sd = new StateDict();
        foreach (var (k, v) in all)
            if (k.StartsWith(prefix, StringComparison.Ordinal)) sd.Add(k[prefix.Length..], v);
        return sd;
    }

    private static (Fpn Fpn, FcosHead Head) Build(StateDict fx)
    {
        var fpn = new Fpn([8, 12, 16], 3, 16, P6P7Source.P5, new Generator(0));
        var head = new FcosHead(new FcosHeadOptions(16, 3, Strides, NumConvs: 2, GroupNormGroups: 4), new Generator(0));
        fpn.LoadStateDict(Prefixed(fx, "fpn."));
        head.LoadStateDict(Prefixed(fx, "head."));
        return (fpn, head);
    }

    private static Tensor[] Inputs(StateDict fx) =>
        [.. Enumerable.Range(3, 3).Select(i => fx[$"in.c{i}"].Clone().Detach().RequiresGrad_())];

    /// <summary>The fixture's closed-form probe weights w.flat[i] = ((7i + 3·level + kind) mod 11 − 5) / 5.</summary>
    private static Tensor ProbeWeight(Shape shape, int kind, int level)
    {
        var v = new float[shape.Numel];
        for (long i = 0; i < v.Length; i++) v[i] = ((7 * i + 3 * level + kind) % 11 - 5) / 5f;
        return Tensor.From(v, shape);
    }

    private static IReadOnlyList<Tensor> Get(FcosHeadOutput o, int kind) => kind switch
    {
        0 => o.ClsLogits,
        1 => o.BoxRegression,
        2 => o.Centerness,
        3 => o.ClsTower,
        _ => o.BoxTower,
    };

    /// <summary>|e − a| ≤ 1e-4·(|e| + max|e|·1e-2): relative 1e-4, with an absolute floor for near-zero entries.
    /// </summary>
    private static void Near(Tensor expected, Tensor actual, string what)
    {
        var scale = expected.ToDoubleArray().Select(Math.Abs).DefaultIfEmpty(0).Max();
        Verify.Close(expected, actual, atol: 1e-6 * scale + 1e-7, rtol: 1e-4, what: what);
    }

    [Fact]
    public void Head_and_fpn_outputs_and_gradients_match_pytorch()
    {
        var fx = Fixture();
        var (fpn, head) = Build(fx);
        var xs = Inputs(fx);
        var o = head.Forward(fpn.Forward(xs));
        Assert.Equal(5, o.Levels);
        Tensor? probe = null;
        for (var k = 0; k < Kinds.Length; k++)
            for (var l = 0; l < 5; l++)
            {
                var t = Get(o, k)[l];
                Near(fx[$"out.{Kinds[k]}.{l}"], t, $"out.{Kinds[k]}.{l}");
                var term = (t * ProbeWeight(t.Shape, k, l)).Sum();
                probe = probe is null ? term : probe + term;
            }
        probe!.Backward();
        for (var i = 0; i < 3; i++) Near(fx[$"grad.in.c{i + 3}"], xs[i].Grad!, $"grad.in.c{i + 3}");
        foreach (var (name, p) in fpn.NamedParameters("fpn").Concat(head.NamedParameters("head")))
            Near(fx["grad." + name], p.Grad!, "grad." + name);
    }

    private static FcosTargets FixtureTargets(StateDict fx)
    {
        var shifts = FcosAssigner.Shifts([.. Strides.Select(s => (128 / s, 128 / s))], Strides);
        return FcosAssigner.Assign(shifts, Strides, [fx["gt.boxes.0"], fx["gt.boxes.1"]],
            [fx["gt.labels.0"], fx["gt.labels.1"]], 3);
    }

    [Fact]
    public void Assignment_matches_pytorch()
    {
        var fx = Fixture();
        var t = FixtureTargets(fx);
        Assert.Equal(fx["tgt.classes"].ToArray<long>(), t.Classes.ToArray<long>());
        Verify.Close(fx["tgt.deltas"], t.Deltas, 1e-5, 1e-6, "deltas");
        Verify.Close(fx["tgt.centerness"], t.Centerness, 1e-6, 1e-5, "centerness");
        Assert.Equal(fx["tgt.classes"].ToArray<long>().Count(c => c != 3), t.NumForeground);
        var matched = t.MatchedGt.ToArray<long>();
        var classes = t.Classes.ToArray<long>();
        Assert.All(Enumerable.Range(0, matched.Length), i => Assert.Equal(classes[i] == 3, matched[i] < 0));
    }

    [Fact]
    public void Losses_and_their_gradients_match_pytorch()
    {
        var fx = Fixture();
        var (fpn, head) = Build(fx);
        var xs = Inputs(fx);
        var o = head.Forward(fpn.Forward(xs));
        var losses = FcosLoss.Compute(o, FixtureTargets(fx));
        Near(fx["loss.cls"], losses[FcosLoss.Cls].Reshape(1), "loss_cls");
        Near(fx["loss.box_reg"], losses[FcosLoss.BoxReg].Reshape(1), "loss_box_reg");
        Near(fx["loss.centerness"], losses[FcosLoss.Centerness].Reshape(1), "loss_centerness");
        (losses[FcosLoss.Cls] + losses[FcosLoss.BoxReg] + losses[FcosLoss.Centerness]).Backward();
        for (var i = 0; i < 3; i++) Near(fx[$"lossgrad.in.c{i + 3}"], xs[i].Grad!, $"lossgrad.in.c{i + 3}");
    }
}
