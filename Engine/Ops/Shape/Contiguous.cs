using Scratch.Autograd;

namespace Scratch;

public partial class Tensor
{
    /// <summary>This tensor if contiguous, else a contiguous copy (gradient flows through unchanged).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        return Graph.Record(Materialize(), "Contiguous", [this], g => [g]);
    }

    /// <summary>A contiguous copy with its own storage (gradient flows through unchanged).</summary>
    public Tensor Clone() => Graph.Record(CopyData(), "Clone", [this], g => [g]);

    /// <summary>Contiguous data without recording (this tensor when already contiguous).</summary>
    internal Tensor Materialize() => IsContiguous ? this : CopyData();

    /// <summary>A fresh contiguous copy without recording.</summary>
    internal Tensor CopyData()
    {
        var y = Empty(Shape, DType, Device);
        Backend.Copy(this, y);
        return y;
    }
}
