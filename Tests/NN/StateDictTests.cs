using Scratch.NN;
using Xunit;

namespace Scratch.Tests.NN;

public class StateDictTests
{
    private sealed class Net : Module<Tensor, Tensor>
    {
        public Net(int hidden = 3, bool extra = false)
        {
            Fc1 = Add("fc1", new Linear(2, hidden, generator: new Generator(1)));
            Fc2 = Add("fc2", new Linear(hidden, 1, generator: new Generator(2)));
            Running = Buffer("running", Tensor.Zeros(new Shape(2)));
            Buffer("scratch", Tensor.Zeros(new Shape(1)), persistent: false);
            if (extra) Param("extra", Tensor.Zeros(new Shape(1)));
        }

        public Linear Fc1 { get; }

        public Linear Fc2 { get; }

        public Tensor Running { get; }

        public override Tensor Forward(Tensor input) => Fc2.Forward(Fc1.Forward(input));
    }

    [Fact]
    public void Keys_follow_pytorch_order_own_state_before_children()
    {
        // PyTorch's state_dict: a module's own parameters, then its own buffers, then each child's, depth first.
        var sd = new Net().StateDict();
        Assert.Equal(["running", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], sd.Keys);
        Assert.Equal(new Shape(3, 2), sd["fc1.weight"].Shape);
        Assert.False(sd["fc1.weight"].RequiresGrad);
    }

    [Fact]
    public void Round_trip_copies_values_in_place_converting_dtype()
    {
        var src = new Net();
        using (Autograd.GradMode.Disable()) src.Running.Fill_(7);
        var dst = new Net();
        using (Autograd.GradMode.Disable()) dst.Fc1.Weight.Fill_(0);
        dst.To(DType.F64);
        var weight = dst.Fc1.Weight;
        var result = dst.LoadStateDict(src.StateDict());
        Assert.True(result.IsExact);
        Assert.Same(weight, dst.Fc1.Weight);
        Assert.Equal(DType.F64, dst.Fc1.Weight.DType);
        Assert.True(dst.Fc1.Weight.RequiresGrad);
        Assert.Equal(src.Fc1.Weight.ToArray<float>().Select(v => (double)v), dst.Fc1.Weight.ToDoubleArray());
        Assert.Equal([7.0, 7.0], dst.Running.ToDoubleArray());
    }

    [Fact]
    public void Strict_load_lists_missing_unexpected_and_mismatched_keys_and_loads_nothing()
    {
        var sd = new Net(hidden: 4).StateDict();
        sd.Remove("fc1.bias");
        sd.Add("bogus.weight", Tensor.Zeros(new Shape(1)));
        var dst = new Net(extra: true);
        var before = dst.Fc2.Bias!.ToArray<float>();
        var e = Assert.Throws<StateDictMismatchException>(() => dst.LoadStateDict(sd));
        Assert.Equal(["extra", "fc1.bias"], e.Result.MissingKeys);
        Assert.Equal(["bogus.weight"], e.Result.UnexpectedKeys);
        Assert.Equal(["fc1.weight", "fc2.weight"], e.Result.ShapeMismatchedKeys);
        Assert.Contains("Missing keys: [extra, fc1.bias]", e.Message, StringComparison.Ordinal);
        Assert.Contains("Unexpected keys: [bogus.weight]", e.Message, StringComparison.Ordinal);
        Assert.Contains("fc1.weight (model [3, 2], state dict [4, 2])", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, dst.Fc2.Bias!.ToArray<float>());
    }

    [Fact]
    public void Non_strict_load_reports_and_loads_what_matches()
    {
        var src = new Net(hidden: 4);
        var sd = src.StateDict();
        sd.Add("bogus", Tensor.Zeros(new Shape(1)));
        using (Autograd.GradMode.Disable()) sd["fc2.bias"].Fill_(3);
        var dst = new Net(extra: true);
        var w = dst.Fc1.Weight.ToArray<float>();
        var r = dst.LoadStateDict(sd, strict: false);
        Assert.Equal(["extra"], r.MissingKeys);
        Assert.Equal(["bogus"], r.UnexpectedKeys);
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight"], r.ShapeMismatchedKeys);
        Assert.False(r.IsExact);
        Assert.Equal([3f], dst.Fc2.Bias!.ToArray<float>());
        Assert.Equal(w, dst.Fc1.Weight.ToArray<float>());
    }

    [Fact]
    public void State_dict_container_rejects_duplicates_and_names_missing_keys()
    {
        var sd = new StateDict { { "a", Tensor.Zeros(new Shape(1)) } };
        Assert.Contains("'a'", Assert.Throws<ArgumentException>(() => sd.Add("a", Tensor.Zeros(new Shape(1)))).Message, StringComparison.Ordinal);
        Assert.Contains("'b'", Assert.Throws<KeyNotFoundException>(() => sd["b"]).Message, StringComparison.Ordinal);
    }
}
