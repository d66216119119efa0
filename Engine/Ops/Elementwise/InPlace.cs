using Scratch.Ops;

namespace Scratch;

public partial class Tensor
{
    /// <summary>Throws when an in-place write to this tensor would corrupt autograd.</summary>
    internal void CheckInPlace(string op)
    {
        if (!Autograd.GradMode.IsEnabled) return;
        if (RequiresGrad && IsLeaf)
            throw new AutogradException($"{op}: a leaf tensor that requires grad is used in an in-place operation; wrap it in GradMode.Disable().");
        if (RequiresGrad)
            throw new AutogradException($"{op}: in-place operations on tensors produced by {GradFn!.Name} are not supported by autograd.");
    }

    /// <summary>Writes <paramref name="values"/> (broadcast to this shape) into this tensor's elements.</summary>
    internal Tensor WriteInPlace(Tensor values, string op)
    {
        CheckInPlace(op);
        if (values.Device != Device) throw new DeviceMismatchException(op, "other", Device.ToString(), values.Device.ToString());
        var v = values.DType == DType ? values : values.Detach().To(DType);
        Backend.Copy(v.Detach().Expand(Shape.ToArray()), this);
        Storage.BumpVersion();
        return this;
    }

    /// <summary>this += other in place (other broadcasts to this shape).</summary>
    public Tensor Add_(Tensor other) => WriteInPlace(F.ZipForward(Detach(), other.Detach(), new AddOp()), "Add_");

    /// <summary>this += value in place.</summary>
    public Tensor Add_(double value) => Add_(ScalarLike(value));

    /// <summary>this −= other in place.</summary>
    public Tensor Sub_(Tensor other) => WriteInPlace(F.ZipForward(Detach(), other.Detach(), new SubOp()), "Sub_");

    /// <summary>this ·= other in place.</summary>
    public Tensor Mul_(Tensor other) => WriteInPlace(F.ZipForward(Detach(), other.Detach(), new MulOp()), "Mul_");

    /// <summary>this ·= value in place.</summary>
    public Tensor Mul_(double value) => Mul_(ScalarLike(value));

    /// <summary>this /= other in place.</summary>
    public Tensor Div_(Tensor other) => WriteInPlace(F.ZipForward(Detach(), other.Detach(), new DivOp()), "Div_");

    /// <summary>Copies <paramref name="source"/> (broadcast, converted to this dtype) into this tensor in place.</summary>
    public Tensor Copy_(Tensor source) => WriteInPlace(source, "Copy_");

    /// <summary>Sets every element to <paramref name="value"/> in place.</summary>
    public Tensor Fill_(double value) => WriteInPlace(ScalarLike(value), "Fill_");

    /// <summary>Sets every element to zero in place.</summary>
    public Tensor Zero_() => Fill_(0);
}
