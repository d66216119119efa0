using Scratch.Models.Common.Backbones;
using Scratch.IO;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.Models;

public class ResNetTests
{
    /// <summary>Lines "key shape" written by Tests/Fixtures/torchvision/make_keys.py from torchvision 0.14.</summary>
    private static string[] TorchvisionKeys(string name) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", name + "_keys.txt"));

    private static string[] OurKeys(Module m) =>
        m.StateDict().Select(kv => $"{kv.Key} {string.Join("x", kv.Value.Shape.ToArray())}").ToArray();

    [Theory]
    [InlineData("resnet18", 18, 1, 64)]
    [InlineData("resnet50", 50, 1, 64)]
    [InlineData("resnext50_32x4d", 50, 32, 4)]
    public void State_dict_keys_and_shapes_equal_torchvision(string name, int depth, int groups, int width)
    {
        var model = new ResNet(new ResNetConfig(depth, Groups: groups, WidthPerGroup: width), new Generator(0));
        Assert.Equal(TorchvisionKeys(name), OurKeys(model));
    }

    [Fact]
    public void Features_have_strides_4_to_32_and_logits_the_class_count()
    {
        var model = new ResNet(new ResNetConfig(18, NumClasses: 7), new Generator(0));
        model.Eval();
        using var _ = Autograd.GradMode.Disable();
        var x = Tensor.Randn(new Shape(1, 3, 64, 64), new Generator(1));
        var c = model.Features(x);
        Assert.Equal([new Shape(1, 64, 16, 16), new Shape(1, 128, 8, 8), new Shape(1, 256, 4, 4), new Shape(1, 512, 2, 2)],
            c.Select(t => t.Shape));
        Assert.Equal(new Shape(1, 7), model.Forward(x).Shape);
    }

    [Fact]
    public void Frozen_norm_backbone_has_no_trainable_norm_parameters()
    {
        var model = new ResNet(new ResNetConfig(18, NumClasses: 0, Norm: ResNetNorm.FrozenBatchNorm), new Generator(0));
        Assert.All(model.NamedParameters(), p => Assert.DoesNotContain("bn", p.Name));
        Assert.Contains(model.StateDict().Keys, k => k == "bn1.running_mean");
    }

    [Fact]
    public void One_training_step_reduces_the_loss_on_a_fixed_batch()
    {
        var model = new ResNet(new ResNetConfig(18, NumClasses: 3), new Generator(0));
        var x = Tensor.Randn(new Shape(4, 3, 32, 32), new Generator(2));
        var y = Tensor.From(new long[] { 0, 1, 2, 1 });
        var opt = new Scratch.Optim.Sgd(model.Parameters(), lr: 0.01);
        var first = 0.0;
        var last = 0.0;
        for (var i = 0; i < 5; i++)
        {
            opt.ZeroGrad();
            var loss = F.CrossEntropy(model.Forward(x), y);
            loss.Backward();
            opt.Step();
            if (i == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first, $"loss went from {first} to {last}");
    }

    /// <summary>The closed-form weights of Tests/Fixtures/torchvision/make_parity.py (see its docstring).</summary>
    private static double[] U(long n, long k)
    {
        var v = new double[n];
        for (long i = 0; i < n; i++)
            v[i] = (((ulong)i * 2654435761UL + (ulong)(k + 1) * 2654435769UL) & 0xFFFFFFFFUL) / 4294967296.0;
        return v;
    }

    private static Tensor Fill(string name, Tensor like, int k)
    {
        if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) return Tensor.ZerosLike(like);
        var v = U(like.Numel, k);
        var fanIn = like.Rank >= 2 ? like.Numel / like.Size(0) : 1;
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = like.Rank >= 2 ? (2 * v[i] - 1) * Math.Sqrt(3.0 / fanIn)
                : name.EndsWith("running_var", StringComparison.Ordinal) ? 0.5 + v[i]
                : name.EndsWith("weight", StringComparison.Ordinal) ? 1 + 0.2 * (v[i] - 0.5)
                : 0.2 * (v[i] - 0.5);
        }
        return Tensor.FromDoubles(v, like.Shape, like.DType);
    }

    [Theory]
    [InlineData("resnet18", 18)]
    [InlineData("resnet50", 50)]
    public void Logits_equal_torchvision_after_a_strict_pth_round_trip(string name, int depth)
    {
        var model = new ResNet(new ResNetConfig(depth), new Generator(0));
        var sd = new StateDict();
        var k = 0;
        foreach (var (key, t) in model.StateDict()) sd.Add(key, Fill(key, t, k++));
        var path = Path.Combine(Path.GetTempPath(), $"scratch-{name}-{Guid.NewGuid():N}.pth");
        try
        {
            Scratch.IO.TorchSave.Write(path, sd);
            var fresh = new ResNet(new ResNetConfig(depth), new Generator(1));
            fresh.LoadTorch(path, strict: true);
            fresh.Eval();
            using var _ = Autograd.GradMode.Disable();
            var x = Tensor.FromDoubles(U(3 * 64 * 64, 1000).Select(v => 2 * v - 1).ToArray(), new Shape(1, 3, 64, 64));
            var logits = fresh.Forward(x).Reshape(-1).ToDoubleArray();
            var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(
                Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", name + "_parity.json")));
            var expected = json.RootElement.GetProperty("logits").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var scale = expected.Max(Math.Abs);
            Properties.Verify.Close(expected, logits, atol: 1e-4 * scale, rtol: 1e-4, what: name);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
