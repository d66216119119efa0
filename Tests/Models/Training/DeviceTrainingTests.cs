using Scratch.Data;
using Scratch.Models.Common.Backbones;
using Scratch.Models.Common.Training;
using Scratch.Models.Fcos;
using Scratch.Optim;
using Xunit;
using Xunit.Abstractions;

namespace Scratch.Tests.Models.Training;

/// <summary>Training on a non-host device (ILGPU's CPU accelerator, which runs the GPU kernels on the host).</summary>
public sealed class DeviceTrainingTests(ITestOutputHelper output)
{
    private static FcosDetector TinyFcos() => new(new FcosOptions(1, "resnet18", FpnChannels: 16, NumConvs: 1, GroupNormGroups: 4,
        BackboneNorm: ResNetNorm.BatchNorm, FreezeAt: 0), new Generator(3));

    private static DetectionBatch OnDevice(DetectionBatch b, Device d) => b with
    {
        Images = b.Images.To(d),
        Boxes = [.. b.Boxes.Select(t => t.To(d))],
        Labels = [.. b.Labels.Select(t => t.To(d))],
    };

    [Fact]
    [Trait("Category", "Long")]
    public void Probe_fcos_step_on_ilgpu_cpu()
    {
        var model = TinyFcos();
        model.To(Device.IlgpuCpu);
        model.Train();
        var sgd = new Sgd(DetectionTrainer.ParamGroups(model, 1e-4, 0), lr: 0.01, momentum: 0.9);
        var batch = OnDevice(Scratch.Tests.Models.Fcos.FcosDetectorTests.Squares([(8, 8, 24)], [(30, 20, 20)]), Device.IlgpuCpu);
        try
        {
            var (_, total) = DetectionTrainer.Step(model, sgd, batch, [.. model.Parameters().Cast<Tensor>()], 5.0);
            output.WriteLine($"ok {total}");
        }
        catch (NotSupportedException e)
        {
            output.WriteLine("BLOCKED: " + e.Message + "\n" + e.StackTrace);
            throw;
        }
    }
}
