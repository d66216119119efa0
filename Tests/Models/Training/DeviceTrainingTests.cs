using Scratch.Models.Common.Detection;
using Scratch.NN;
using Scratch.Models.Common.Training;
using Xunit;

namespace Scratch.Tests.Models.Training;

/// <summary><see cref="TrainerOptions.Device"/>: the trainer moves the model and collates every batch onto the
/// device, writes checkpoints from host copies, and evaluation runs on the model's device. The device here is the
/// Reference backend (host memory, another backend), which takes the same path as a GPU device.</summary>
[Collection("MemoryScope")] // trains in buffer-pool scopes, whose counters MemoryScopeTests asserts process-wide
public sealed class DeviceTrainingTests(TinyFashionDet data) : IClassFixture<TinyFashionDet>
{
    private TrainerOptions Options(string run, Device? device) => new()
    {
        Iterations = 3, BatchSize = 2, BaseLr = 0.05, WarmupIterations = 1, CheckpointEvery = 0, Seed = 5,
        OutputDirectory = run, ClipGradNorm = 5.0, Device = device,
    };

    [Fact]
    public void Training_on_another_device_moves_the_model_and_matches_the_cpu()
    {
        TinyDetector.Register();
        var train = CocoImageFolder.FromDataRoot(data.Root, "train");
        var root = Path.Combine(Path.GetTempPath(), "scratch-device-" + Guid.NewGuid().ToString("N"));
        try
        {
            var onRef = DetectorZoo.Create(TinyDetector.Name, new DetectorSpec(10, Seed: 3));
            var onCpu = DetectorZoo.Create(TinyDetector.Name, new DetectorSpec(10, Seed: 3));
            var a = new DetectionTrainer(onRef, train, Options(Path.Combine(root, "ref"), Device.Reference));
            Assert.All(onRef.Parameters(), p => Assert.Equal(Device.Reference, p.Device));
            a.Train();
            new DetectionTrainer(onCpu, train, Options(Path.Combine(root, "cpu"), null)).Train();
            Assert.All(onRef.Parameters(), p => Assert.Equal(Device.Reference, p.Device));
            var refWeights = onRef.StateDict();
            var cpuWeights = onCpu.StateDict();
            foreach (var (k, v) in cpuWeights)
                Scratch.Tests.Properties.Verify.Close(v.ToDoubleArray(), refWeights[k].ToDoubleArray(), 1e-4, 1e-3);
            // the checkpoint written from the device model loads into a host model with the same weights
            var reloaded = DetectorZoo.Create(TinyDetector.Name, new DetectorSpec(10, Seed: 99));
            TrainingCheckpoint.LoadWeights(Path.Combine(root, "ref", DetectionTrainer.CheckpointFile), reloaded);
            foreach (var (k, v) in reloaded.StateDict())
            {
                Assert.Equal(Device.Cpu, v.Device);
                Assert.Equal(refWeights[k].ToDoubleArray(), v.ToDoubleArray());
            }
            // evaluation collates on the model's device
            Assert.Equal(Device.Reference, DetectionEvaluator.DeviceOf(onRef));
            var val = CocoImageFolder.FromDataRoot(data.Root, "val");
            Assert.NotNull(DetectionEvaluator.Predict(onRef, val, 2));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
