using Scratch.Optim;
using Scratch.Tests.Properties;
using Xunit;

namespace Scratch.Tests.Optim;

public class OptimizerTests
{
    // The fixed tiny problem used for every golden value below (torch 1.13, float64):
    //   w = [[0.5,-0.3,0.8],[0.1,0.2,-0.6]], b = [0.1,-0.2], x = [[1,2,3],[-1,0.5,2]]
    //   loop: opt.zero_grad(); y = x @ w.T + b; (y*y).sum().backward(); opt.step()
    private static (Tensor W, Tensor B) Problem(DType dtype = DType.F64, Device? device = null)
    {
        var w = Tensor.FromDoubles([0.5, -0.3, 0.8, 0.1, 0.2, -0.6], new Shape(2, 3), dtype, device).RequiresGrad_();
        var b = Tensor.FromDoubles([0.1, -0.2], new Shape(2), dtype, device).RequiresGrad_();
        return (w, b);
    }

    private static void Run(Optimizer opt, Tensor w, Tensor b, int steps)
    {
        var x = Tensor.FromDoubles([1, 2, 3, -1, 0.5, 2], new Shape(2, 3), w.DType, w.Device);
        for (var i = 0; i < steps; i++)
        {
            opt.ZeroGrad();
            var y = x.Matmul(w.T) + b;
            (y * y).Sum().Backward();
            opt.Step();
        }
    }

    [Fact]
    public void Sgd_nesterov_with_weight_decay_matches_torch()
    {
        var (w, b) = Problem();
        Run(new Sgd([w, b], lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.1), w, b, 3);
        // torch 1.13: torch.optim.SGD([w, b], lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.1), 3 steps
        Verify.Close([0.3704488039515, -0.7069827784728001, 0.10031895127080001, 0.05771769050809998, 0.4571076754062, -0.03627075072259997], w.ToDoubleArray(), 1e-12, 1e-10);
        Verify.Close([-0.15299796841890004, 0.03346605567779995], b.ToDoubleArray(), 1e-12, 1e-10);
    }

    [Fact]
    public void Sgd_momentum_with_dampening_matches_torch()
    {
        var (w, b) = Problem();
        Run(new Sgd([w, b], lr: 0.01, momentum: 0.8, dampening: 0.3, weightDecay: 0.05), w, b, 3);
        // torch 1.13: torch.optim.SGD([w, b], lr=0.01, momentum=0.8, dampening=0.3, weight_decay=0.05), 3 steps
        Verify.Close([0.40281256822187494, -0.6564586455828749, 0.18009157024599995, 0.093935215678875, 0.44112624833274994, -0.10970339620825], w.ToDoubleArray(), 1e-12, 1e-10);
        Verify.Close([-0.128261975838625, -0.002800356472750037], b.ToDoubleArray(), 1e-12, 1e-10);
    }

    [Theory]
    [InlineData(DType.F64, 1e-12)]
    [InlineData(DType.F32, 2e-5)]
    public void Adam_amsgrad_with_l2_matches_torch(DType dtype, double atol)
    {
        var (w, b) = Problem(dtype);
        Run(new Adam([w, b], lr: 0.1, beta1: 0.9, beta2: 0.99, weightDecay: 0.1, amsgrad: true), w, b, 4);
        // torch 1.13: torch.optim.Adam([w, b], lr=0.1, betas=(0.9, 0.99), weight_decay=0.1, amsgrad=True), 4 steps
        Verify.Close([0.13727289961998965, -0.6731723787783681, 0.4249236800560582, -0.01623764835793305, 0.5487311148272667, -0.24001105422526248], w.ToDoubleArray(), atol, 1e-6);
        Verify.Close([-0.2755637725667738, 0.16428767962616647], b.ToDoubleArray(), atol, 1e-6);
    }

    [Fact]
    public void AdamW_decoupled_weight_decay_matches_torch()
    {
        var (w, b) = Problem(DType.F64, Device.Reference);
        Run(new AdamW([w, b], lr: 0.1, beta1: 0.9, beta2: 0.99, weightDecay: 0.1), w, b, 3);
        // torch 1.13: torch.optim.AdamW([w, b], lr=0.1, betas=(0.9, 0.99), weight_decay=0.1), 3 steps
        Verify.Close([0.20189895370902633, -0.5780800427444536, 0.48877298662019475, 0.06690585230227425, 0.471672217116698, -0.30022553651594563], w.ToDoubleArray(), 1e-12, 1e-10);
        Verify.Close([-0.19072212217954698, 0.08980650973469556], b.ToDoubleArray(), 1e-12, 1e-10);
    }

    [Fact]
    public void Param_groups_use_their_own_hyper_parameters()
    {
        var (w, b) = Problem();
        var opt = new Sgd([new ParamGroup([w]) { WeightDecay = 0.1 }, new ParamGroup([b]) { Lr = 0.001 }], lr: 0.01, momentum: 0.9);
        Assert.Equal(0.01, opt.ParamGroups[0].Lr);
        Assert.Equal(0.0, opt.ParamGroups[1].WeightDecay);
        Run(opt, w, b, 3);
        // torch 1.13: torch.optim.SGD([{'params': [w], 'weight_decay': 0.1}, {'params': [b], 'lr': 0.001}], lr=0.01, momentum=0.9), 3 steps
        Verify.Close([0.3816416584999999, -0.7333757942000001, 0.040956871199999974, 0.0875992459, 0.49285268179999997, 0.00315079859999994], w.ToDoubleArray(), 1e-12, 1e-10);
        Verify.Close([0.0720980696, -0.17574571220000001], b.ToDoubleArray(), 1e-12, 1e-10);
    }

    [Fact]
    public void Setting_lr_changes_every_group_and_parameters_without_grad_are_skipped()
    {
        var (w, b) = Problem();
        var opt = new Sgd([new ParamGroup([w]), new ParamGroup([b]) { Lr = 5 }], lr: 1);
        opt.Lr = 0.5;
        Assert.All(opt.ParamGroups, g => Assert.Equal(0.5, g.Lr));
        Assert.Equal(1.0, opt.ParamGroups[0].InitialLr);
        w.Grad = Tensor.Ones(w.Shape, DType.F64);
        var before = b.ToDoubleArray();
        opt.Step();
        Assert.Equal(before, b.ToDoubleArray());
        Verify.Close([0, -0.8, 0.3, -0.4, -0.3, -1.1], w.ToDoubleArray(), 1e-15);
        var state = opt.StateDict().State;
        Assert.Equal([0], state.Keys);
        Assert.Empty(state[0].Buffers);
    }

    public static TheoryData<string> Kinds => ["sgd", "adam", "adamw"];

    private static Optimizer Make(string kind, Tensor w, Tensor b) => kind switch
    {
        "sgd" => new Sgd([new ParamGroup([w]) { WeightDecay = 0.01 }, new ParamGroup([b])], lr: 0.01, momentum: 0.9, nesterov: true),
        "adam" => new Adam([w, b], lr: 0.05, weightDecay: 0.01, amsgrad: true),
        _ => new AdamW([w, b], lr: 0.05),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void State_dict_round_trip_continues_bit_identically(string kind)
    {
        var (w, b) = Problem(DType.F32);
        var opt = Make(kind, w, b);
        Run(opt, w, b, 5);
        var saved = opt.StateDict();
        var wSaved = w.ToArray<float>();
        var bSaved = b.ToArray<float>();
        Run(opt, w, b, 5);

        var (w2, b2) = Problem(DType.F32);
        using (Autograd.GradMode.Disable())
        {
            w2.Copy_(Tensor.From(wSaved, w.Shape));
            b2.Copy_(Tensor.From(bSaved, b.Shape));
        }
        var fresh = Make(kind, w2, b2);
        fresh.LoadStateDict(saved);
        Run(fresh, w2, b2, 5);
        Assert.Equal(w.ToArray<float>(), w2.ToArray<float>());
        Assert.Equal(b.ToArray<float>(), b2.ToArray<float>());
    }

    [Fact]
    public void State_dict_is_a_snapshot_keyed_by_parameter_index()
    {
        var (w, b) = Problem();
        var opt = new Adam([w, b], amsgrad: true);
        Run(opt, w, b, 2);
        var s = opt.StateDict();
        Assert.Equal([0, 1], s.State.Keys.Order());
        Assert.Equal(2, s.State[0].Step);
        Assert.Equal(["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], s.State[0].Buffers.Keys.Order());
        var m = s.State[1].Buffers["exp_avg"].ToDoubleArray();
        Run(opt, w, b, 1);
        Assert.Equal(m, s.State[1].Buffers["exp_avg"].ToDoubleArray());
    }

    [Fact]
    public void Load_state_dict_rejects_a_different_layout()
    {
        var (w, b) = Problem();
        var opt = new Sgd([w, b], lr: 0.1, momentum: 0.9);
        Run(opt, w, b, 1);
        var other = new Sgd([w], lr: 0.1, momentum: 0.9);
        var e = Assert.Throws<ArgumentException>(() => other.LoadStateDict(opt.StateDict()));
        Assert.Contains("state", e.Message, StringComparison.Ordinal);
        var (w2, _) = Problem();
        var swapped = new Sgd([b, w2], lr: 0.1, momentum: 0.9);
        var e2 = Assert.Throws<ShapeMismatchException>(() => swapped.LoadStateDict(opt.StateDict()));
        Assert.Contains("state[0]", e2.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Large_parameters_updated_in_parallel_match_small_pieces(string kind)
    {
        const int pieces = 4, piece = 50_000;
        var big = Values.Uniform(new Shape(pieces * piece), 7, DType.F32, -1, 1).RequiresGrad_();
        var small = Enumerable.Range(0, pieces)
            .Select(i => Tensor.From(big.ToArray<float>().AsSpan(i * piece, piece).ToArray()).RequiresGrad_()).ToArray();
        var optBig = Make(kind, big, Tensor.Zeros(new Shape(1)).RequiresGrad_());
        Optimizer optSmall = kind switch
        {
            "sgd" => new Sgd([new ParamGroup(small) { WeightDecay = 0.01 }], lr: 0.01, momentum: 0.9, nesterov: true),
            "adam" => new Adam(small, lr: 0.05, weightDecay: 0.01, amsgrad: true),
            _ => new AdamW(small, lr: 0.05),
        };
        for (var step = 0; step < 3; step++)
        {
            var g = Values.Uniform(big.Shape, 100 + (ulong)step, DType.F32, -1, 1);
            big.Grad = g;
            var gv = g.ToArray<float>();
            for (var i = 0; i < pieces; i++) small[i].Grad = Tensor.From(gv.AsSpan(i * piece, piece).ToArray());
            optBig.Step();
            optSmall.Step();
        }
        Assert.Equal(big.ToArray<float>(), small.SelectMany(t => t.ToArray<float>()).ToArray());
    }

    [Fact]
    public void Split_weight_decay_puts_matrices_in_the_decayed_group()
    {
        var net = new Scratch.NN.Sequential(new Scratch.NN.Linear(3, 2), new Scratch.NN.Linear(2, 1));
        var groups = ParamGroup.SplitWeightDecay(net.Parameters(), 0.05);
        var names = net.NamedParameters().ToDictionary(p => (Tensor)p.Value, p => p.Name);
        Assert.Equal(["0.weight", "1.weight"], groups[0].Parameters.Select(p => names[p]));
        Assert.Equal(["0.bias", "1.bias"], groups[1].Parameters.Select(p => names[p]));
        var opt = new Sgd(groups, lr: 0.1, weightDecay: 1);
        Assert.Equal([0.05, 0.0], opt.ParamGroups.Select(g => g.WeightDecay!.Value));
    }

    [Fact]
    public void Bad_hyper_parameters_throw_naming_the_argument()
    {
        var (w, _) = Problem();
        Assert.Contains("lr", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([w], lr: -1)).Message, StringComparison.Ordinal);
        Assert.Contains("nesterov", Assert.Throws<ArgumentException>(() => new Sgd([w], lr: 0.1, nesterov: true)).Message, StringComparison.Ordinal);
        Assert.Contains("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([w], beta2: 1)).Message, StringComparison.Ordinal);
        Assert.Contains("parameters", Assert.Throws<DTypeMismatchException>(() => new Sgd([Tensor.Zeros(new Shape(2), DType.I64)], lr: 0.1)).Message, StringComparison.Ordinal);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new Adam([w, w])).Message, StringComparison.Ordinal);
    }
}
