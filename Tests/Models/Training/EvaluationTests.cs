using Scratch.Data;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Training;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.Models.Training;

[Collection("MemoryScope")] // opens buffer-pool scopes, whose counters MemoryScopeTests asserts process-wide
public sealed class EvaluationTests(TinyFashionDet data) : IClassFixture<TinyFashionDet>
{
    /// <summary>Detects one box covering each image's true (unpadded) input size, score 1, label 0; its loss is NaN.
    /// </summary>
    private sealed class WholeImageDetector : Detector
    {
        private readonly Parameter _w;

        public WholeImageDetector() => _w = Param("w", Tensor.Ones(new Shape(1)));

        public override int NumClasses => 10;

        public override IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch) =>
            new Dictionary<string, Tensor> { ["loss_nan"] = (_w * double.NaN).Sum(), ["loss_ok"] = _w.Sum() };

        public override IReadOnlyList<Detections> Detect(DetectionBatch batch) =>
            [.. batch.ImageSizes.Select(s => new Detections(Tensor.From(new float[] { 0, 0, s.Width, s.Height }, new Shape(1, 4)),
                Tensor.From(new[] { 1f }, new Shape(1)), Tensor.From(new[] { 0L }, new Shape(1))))];
    }

    /// <summary>Never detects anything.</summary>
    private sealed class BlindDetector : Detector
    {
        public BlindDetector() => Param("w", Tensor.Ones(new Shape(1)));

        public override int NumClasses => 10;

        public override IReadOnlyDictionary<string, Tensor> Losses(DetectionBatch batch) => new Dictionary<string, Tensor>();

        public override IReadOnlyList<Detections> Detect(DetectionBatch batch) =>
            [.. batch.ImageSizes.Select(_ => new Detections(Tensor.Zeros(new Shape(0, 4)), Tensor.Zeros(new Shape(0)), Tensor.From(Array.Empty<long>(), new Shape(0))))];
    }

    [Fact]
    public void PredictionRecyclesEachBatchsBuffersThroughThePool()
    {
        // A 500-image evaluation once held every batch's buffers until the collector ran (14 GB at 320²).
        TinyDetector.Register();
        var model = DetectorZoo.Create(TinyDetector.Name, new DetectorSpec(10, Seed: 3));
        var val = CocoImageFolder.FromDataRoot(data.Root, "val");
        var before = MemoryScope.Stats;
        var dets = DetectionEvaluator.Predict(model, val, batchSize: 1);
        var after = MemoryScope.Stats;
        Assert.True(after.Sweeps - before.Sweeps >= val.Count, $"expected a pool sweep per batch, got {after.Sweeps - before.Sweeps}");
        Assert.True(after.Recycled > before.Recycled, "later batches should reuse the first batch's buffers");
        Assert.NotNull(dets);
    }

    [Fact]
    public void ADetectorThatFindsNothingScoresZeroAndWritesAnEmptyResultsFile()
    {
        var run = data.NewRunDir();
        var val = CocoImageFolder.FromDataRoot(data.Root, "val");
        var r = DetectionEvaluator.Evaluate(new BlindDetector(), val, run, imageSize: 96);
        Assert.Empty(r.Detections);
        Assert.Equal(0, r.Coco.Stats.AP50);
        Assert.Equal("[]", File.ReadAllText(Path.Combine(run, DetectionEvaluator.DetectionsFile)).Trim());
        var one = val.Load(0);
        Assert.Equal(0, DetectionEvaluator.DetectImage(new BlindDetector(), one.Image, one.Height, one.Width, 96).Count);
        var t = new DetectionTrainer(new BlindDetector(), CocoImageFolder.FromDataRoot(data.Root, "train"), new TrainerOptions { Iterations = 1, BatchSize = 2 });
        Assert.Contains("no losses", Assert.Throws<InvalidOperationException>(() => t.Train()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FolderSamplesCarryXyxyBoxesLabelsAndTheImageId()
    {
        var train = CocoImageFolder.FromDataRoot(data.Root, "train");
        Assert.Equal(8, train.Count);
        Assert.Equal(10, train.NumClasses);
        var s = train.Load(2);
        var info = train.Dataset.Images[2];
        Assert.Equal(info.Id, (long)s.Tag!);
        Assert.Equal((3, 64, 64), (s.Channels, s.Height, s.Width));
        Assert.All(s.Image, v => Assert.InRange(v, 0f, 1f));
        var anns = train.Dataset.AnnotationsOf(info.Id);
        Assert.Equal(anns.Count, s.Count);
        for (var k = 0; k < anns.Count; k++)
        {
            var b = anns[k].Bbox;
            Assert.Equal(new[] { (float)b[0], (float)b[1], (float)(b[0] + b[2]), (float)(b[1] + b[3]) }, s.Boxes[(4 * k)..(4 * k + 4)]);
            Assert.Equal(train.Dataset.LabelOf(anns[k].CategoryId), s.Labels[k]);
        }
        Assert.Throws<DirectoryNotFoundException>(() => new CocoImageFolder(train.AnnotationsPath, Path.Combine(data.Root, "nope")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(128)]
    [InlineData(40)]
    public void DetectionsMapBackToOriginalPixelsAfterResizing(int? size)
    {
        var val = CocoImageFolder.FromDataRoot(data.Root, "val");
        var dets = DetectionEvaluator.Predict(new WholeImageDetector(), val, batchSize: 3, imageSize: size);
        Assert.Equal(val.Count, dets.Count);
        Assert.Equal(val.Dataset.Images.Select(i => i.Id), dets.Select(d => d.ImageId));
        foreach (var d in dets)
        {
            Assert.Equal(new[] { 0.0, 0, 64, 64 }, d.Bbox!.Select(v => Math.Round(v, 4)));
            Assert.Equal(val.Dataset.CategoryIdOf(0), d.CategoryId);
        }
        var one = val.Load(0);
        var single = DetectionEvaluator.DetectImage(new WholeImageDetector(), one.Image, one.Height, one.Width, size);
        Assert.Equal(new[] { 0f, 0, 64, 64 }, single.Boxes.ToArray<float>().Select(v => MathF.Round(v, 3)));
    }

    [Fact]
    public void ANonFiniteLossStopsTrainingWithTheLossesNamed()
    {
        var t = new DetectionTrainer(new WholeImageDetector(), CocoImageFolder.FromDataRoot(data.Root, "train"),
            new TrainerOptions { Iterations = 3, BatchSize = 2 });
        var e = Assert.Throws<ArithmeticException>(() => t.Train());
        Assert.Contains("loss_nan = NaN", e.Message, StringComparison.Ordinal);
        Assert.Contains("iteration 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumingWithAnotherSeedIsRefused()
    {
        var run = data.NewRunDir();
        var train = CocoImageFolder.FromDataRoot(data.Root, "train");
        var spec = new DetectorSpec(10);
        var o = new TrainerOptions { Iterations = 2, BatchSize = 2, CheckpointEvery = 1, Seed = 1, OutputDirectory = run };
        new DetectionTrainer(DetectorZoo.Create(TinyDetector.Name, spec), train, o).Train(stopAt: 1);
        var other = new DetectionTrainer(DetectorZoo.Create(TinyDetector.Name, spec), train, o with { Seed = 2 });
        var e = Assert.Throws<InvalidDataException>(() => other.Resume());
        Assert.Contains("seed 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkerCountDoesNotChangeTraining()
    {
        var train = CocoImageFolder.FromDataRoot(data.Root, "train");
        float[] Run(int workers)
        {
            var t = new DetectionTrainer(DetectorZoo.Create(TinyDetector.Name, new DetectorSpec(10, Seed: 5)), train,
                new TrainerOptions { Iterations = 5, BatchSize = 3, BaseLr = 0.05, WarmupIterations = 1, Seed = 9, Workers = workers });
            t.Train();
            return t.Model.StateDict()["head.weight"].ToArray<float>();
        }
        Assert.Equal(Run(0), Run(3));
    }
}
