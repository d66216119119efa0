using Scratch.Autograd;
using Xunit;

namespace Scratch.Tests.Core;

public class AutogradTests
{
    [Fact]
    public void Gradients_accumulate_across_backward_calls()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        (x * x).Sum().Backward();
        (x * 3).Sum().Backward();
        Assert.Equal([5.0, 7.0], x.Grad!.ToArray<double>());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Shared_subexpressions_sum_their_gradients()
    {
        var x = Tensor.From(new double[] { 3 }).RequiresGrad_();
        var y = x * x;
        var z = y * y + y;   // z = x⁴ + x², dz/dx = 4x³ + 2x = 114
        z.Sum().Backward();
        Assert.Equal(114.0, x.Grad!.Item(), 12);
    }

    [Fact]
    public void Second_backward_without_retain_graph_fails_clearly()
    {
        var x = Tensor.From(new double[] { 1 }).RequiresGrad_();
        var y = (x.Exp() * 2).Sum();
        y.Backward();
        var ex = Assert.Throws<AutogradException>(() => y.Backward());
        Assert.Contains("retainGraph", ex.Message);
    }

    [Fact]
    public void Retain_graph_allows_a_second_pass()
    {
        var x = Tensor.From(new double[] { 1 }).RequiresGrad_();
        var y = (x.Exp() * 2).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(4 * Math.E, x.Grad!.Item(), 12);
    }

    [Fact]
    public void In_place_change_of_a_saved_tensor_is_detected()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        var w = Tensor.From(new double[] { 3, 4 });
        var y = (x * w).Sum();
        w.Add_(1.0);
        var ex = Assert.Throws<AutogradException>(() => y.Backward());
        Assert.Contains("in-place", ex.Message);
    }

    [Fact]
    public void In_place_on_a_leaf_requiring_grad_is_refused_outside_no_grad()
    {
        var x = Tensor.From(new double[] { 1 }).RequiresGrad_();
        Assert.Throws<AutogradException>(() => x.Add_(1.0));
        using (GradMode.Disable()) x.Add_(1.0);
        Assert.Equal(2.0, x.Item());
    }

    [Fact]
    public void No_grad_scope_records_nothing_and_detach_cuts_the_graph()
    {
        var x = Tensor.From(new double[] { 1 }).RequiresGrad_();
        using (GradMode.Disable())
        {
            var y = x * 2;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
        }
        var z = x.Detach() * 2;
        Assert.False(z.RequiresGrad);
        Assert.True((x * 2).RequiresGrad);
    }

    [Fact]
    public void Non_scalar_backward_needs_an_explicit_gradient()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        var y = x * 2;
        Assert.Throws<AutogradException>(() => y.Backward());
        y.Backward(Tensor.From(new double[] { 1, 10 }));
        Assert.Equal([2.0, 20.0], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Integer_tensors_cannot_require_grad() =>
        Assert.Throws<DTypeMismatchException>(() => Tensor.Arange(3).RequiresGrad_());

    [Fact]
    public void Gradcheck_reports_a_wrong_gradient()
    {
        var x = Tensor.From(new double[] { 0.5, 1.5 }).RequiresGrad_();
        // Detach hides x from the tape in one factor: analytic d(x·x)/dx becomes x instead of 2x.
        var r = Gradcheck.Check(t => t[0] * t[0].Detach(), [x]);
        Assert.False(r.Passed);
        Assert.Contains("analytic", r.Report);
    }

    [Fact]
    public void Leaf_gradients_never_alias_the_incoming_gradient()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        var y = Tensor.From(new double[] { 3, 4 }).RequiresGrad_();
        var gy = Tensor.From(new double[] { 1, 1 });
        (x * 3 + y).Backward(gy);
        // Mul made x's gradient during its backward (the leaf may take it); Add passed gy through to y (copied).
        Assert.Equal([3.0, 3.0], x.Grad!.ToArray<double>());
        Assert.False(ReferenceEquals(y.Grad!.Storage, gy.Storage));
        y.Grad.Add_(Tensor.From(new double[] { 10, 10 }));
        Assert.Equal([1.0, 1.0], gy.ToArray<double>());
        Assert.Equal([11.0, 11.0], y.Grad.ToArray<double>());
    }

    [Fact]
    public void One_fresh_gradient_returned_for_two_leaves_is_copied_so_they_do_not_alias()
    {
        var a = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        var b = Tensor.From(new double[] { 5, 6 }).RequiresGrad_();
        var z = Graph.Record(a.Detach() + b.Detach(), "PairSum", [a, b], g => { var t = g * 1; return [t, t]; });
        z.Backward(Tensor.From(new double[] { 2, 3 }));
        a.Grad!.Add_(Tensor.From(new double[] { 100, 100 }));
        Assert.Equal([102.0, 103.0], a.Grad.ToArray<double>());
        Assert.Equal([2.0, 3.0], b.Grad!.ToArray<double>());
    }

    [Fact]
    public void A_taken_gradient_accumulates_a_second_backward_without_touching_the_first_graph()
    {
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        var y = (x * x).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal([4.0, 8.0], x.Grad!.ToArray<double>());
    }
}
