using System.Text.Json;
using Scratch.Data.Coco;
using Scratch.Eval;
using Scratch.IO;
using Scratch.Models.Common.Detection;
using Scratch.Models.Common.Training;
using Scratch.NN;
using Xunit;

namespace Scratch.Tests.Models.Training;

[Collection("MemoryScope")] // trains in buffer-pool scopes, whose counters MemoryScopeTests asserts process-wide
public sealed class DetectionTrainerTests(TinyFashionDet data) : IClassFixture<TinyFashionDet>
{
    private CocoImageFolder Train => CocoImageFolder.FromDataRoot(data.Root, "train");

    private static Detector NewModel(ulong seed = 7) => DetectorZoo.Create(TinyDetector.Name, new DetectorSpec(10, Seed: seed));

    private TrainerOptions Options(string run, long iters = 6, int checkpointEvery = 3, int workers = 0) => new()
    {
        Iterations = iters, BatchSize = 2, BaseLr = 0.05, WarmupIterations = 2, Milestones = [4], CheckpointEvery = checkpointEvery,
        Seed = 11, Workers = workers, OutputDirectory = run, ClipGradNorm = 5.0,
    };

    private static Dictionary<string, float[]> Weights(Module m) =>
        m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<float>());

    private static string[] MetricsWithoutTimes(string run) =>
        [.. File.ReadAllLines(Path.Combine(run, DetectionTrainer.MetricsFile)).Select(line =>
        {
            var o = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
            o.Remove("seconds");
            o.Remove("data_seconds");
            return JsonSerializer.Serialize(o);
        })];

    [Fact]
    public void ResumingAfterACheckpointIsBitIdenticalToAnUninterruptedRun()
    {
        var straightRun = data.NewRunDir();
        var straight = new DetectionTrainer(NewModel(), Train, Options(straightRun));
        straight.Train();

        var stagedRun = data.NewRunDir();
        var first = new DetectionTrainer(NewModel(), Train, Options(stagedRun));
        first.Train(stopAt: 3);
        Assert.Equal(3, first.Position.Iteration);

        // A fresh process: other initial weights (overwritten by the checkpoint), and background loading workers.
        var second = new DetectionTrainer(NewModel(seed: 99), Train, Options(stagedRun, workers: 2));
        var pos = second.Resume();
        Assert.Equal(3, pos.Iteration);
        second.Train();

        var a = Weights(straight.Model);
        var b = Weights(second.Model);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
        Assert.NotEqual(Weights(NewModel())["conv.weight"], a["conv.weight"]);
        Assert.Equal(MetricsWithoutTimes(straightRun), MetricsWithoutTimes(stagedRun));
        var saved = Safetensors.Read(Path.Combine(stagedRun, DetectionTrainer.ModelFile)).StateDict;
        Assert.Equal(["conv.weight", "conv.bias", "norm.weight", "norm.bias", "head.weight", "head.bias"], saved.Keys);
        Assert.Equal(a["head.weight"], saved["head.weight"].ToArray<float>());
    }

    [Fact]
    public void ResumeIgnoresLeftoverTemporaryFiles()
    {
        var run = data.NewRunDir();
        var first = new DetectionTrainer(NewModel(), Train, Options(run, iters: 4, checkpointEvery: 2));
        first.Train(stopAt: 2);
        File.WriteAllText(Path.Combine(run, DetectionTrainer.CheckpointFile + ".tmp"), "half-written garbage");
        File.WriteAllText(Path.Combine(run, $".{DetectionTrainer.CheckpointFile}.0123abcd.tmp"), "more garbage");
        var second = new DetectionTrainer(NewModel(3), Train, Options(run, iters: 4, checkpointEvery: 2));
        Assert.Equal(2, second.Resume().Iteration);
        second.Train();
        Assert.Equal(4, second.Position.Iteration);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, DetectionTrainer.MetricsFile)).Length);
    }

    [Fact]
    public void CheckpointSaveLeavesNoTemporaryFileAndReplacesTheOldOne()
    {
        var run = data.NewRunDir();
        var t = new DetectionTrainer(NewModel(), Train, Options(run, iters: 4, checkpointEvery: 1));
        t.Train();
        Assert.Equal([DetectionTrainer.CheckpointFile, DetectionTrainer.MetricsFile, DetectionTrainer.ModelFile],
            Directory.GetFiles(run).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        var f = Safetensors.Read(Path.Combine(run, DetectionTrainer.CheckpointFile));
        Assert.Equal("4", f.Metadata["iteration"]);
        Assert.Contains("optimizer/state/0/momentum_buffer", f.StateDict.Keys);
        var weights = TrainingCheckpoint.ReadMetadata(Path.Combine(run, DetectionTrainer.ModelFile));
        Assert.Equal(Scratch.Data.FashionDet.FashionDetWriter.Classes, TrainingCheckpoint.ClassNames(weights));
        Assert.Equal("4", weights["iteration"]);
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("garbage")]
    [InlineData("weights-only")]
    public void ACorruptCheckpointGivesAClearError(string how)
    {
        var run = data.NewRunDir();
        var t = new DetectionTrainer(NewModel(), Train, Options(run, iters: 2, checkpointEvery: 1));
        t.Train(stopAt: 1);
        var path = Path.Combine(run, DetectionTrainer.CheckpointFile);
        switch (how)
        {
            case "truncate":
                var bytes = File.ReadAllBytes(path);
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case "garbage":
                File.WriteAllText(path, "this is not a checkpoint at all");
                break;
            default:
                t.Model.SaveSafetensors(path);
                break;
        }
        var fresh = new DetectionTrainer(NewModel(), Train, Options(run, iters: 2, checkpointEvery: 1));
        var e = Assert.Throws<InvalidDataException>(() => fresh.Resume());
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a usable training checkpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointOfAnotherModelIsRejected()
    {
        var run = data.NewRunDir();
        var t = new DetectionTrainer(NewModel(), Train, Options(run, iters: 1, checkpointEvery: 1));
        t.Train();
        var other = new TinyDetector(new DetectorSpec(10, InChannels: 3)) as Detector;
        var sd = t.Model.StateDict();
        sd.Remove("head.bias");
        Safetensors.Write(Path.Combine(run, "bad.safetensors"), sd, Safetensors.Read(Path.Combine(run, DetectionTrainer.CheckpointFile)).Metadata);
        var fresh = new DetectionTrainer(other, Train, Options(run, iters: 1));
        var e = Assert.Throws<InvalidDataException>(() => fresh.Resume(Path.Combine(run, "bad.safetensors")));
        Assert.Contains("head.bias", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScheduleIsDetectron2WarmupMultiStep()
    {
        var o = new TrainerOptions { BaseLr = 0.01, WarmupIterations = 4, WarmupFactor = 0.001, Milestones = [6, 8], Gamma = 0.1 };
        var s = o.Schedule();
        // detectron2 WarmupMultiStepLR: base * gamma^bisect_right(milestones, t) * (wf*(1 - t/W) + t/W) for t < W.
        double[] expected = [0.01 * 0.001, 0.01 * (0.001 * 0.75 + 0.25), 0.01 * (0.001 * 0.5 + 0.5), 0.01 * (0.001 * 0.25 + 0.75),
            0.01, 0.01, 0.001, 0.001, 0.0001, 0.0001];
        for (var t = 0; t < expected.Length; t++) Assert.Equal(expected[t], s.LrAt(t), 1e-15);
    }

    [Fact]
    public void MetricsLogHasOneLinePerStepWithLrLossesAndTotal()
    {
        var run = data.NewRunDir();
        var t = new DetectionTrainer(NewModel(), Train, Options(run, iters: 5, checkpointEvery: 0));
        var seen = new List<TrainingProgress>();
        t.Progress = seen.Add;
        t.Train();
        var lines = File.ReadAllLines(Path.Combine(run, DetectionTrainer.MetricsFile));
        Assert.Equal(5, lines.Length);
        Assert.Equal(5, seen.Count);
        for (var i = 0; i < lines.Length; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var o = doc.RootElement;
            Assert.Equal(["iter", "lr", "loss_box_reg", "loss_cls", "total", "data_seconds", "seconds"],
                o.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(i + 1, o.GetProperty("iter").GetInt64());
            Assert.Equal(t.Schedule.LrAt(i), o.GetProperty("lr").GetDouble());
            var sum = o.GetProperty("loss_box_reg").GetDouble() + o.GetProperty("loss_cls").GetDouble();
            Assert.Equal(sum, o.GetProperty("total").GetDouble(), 1e-6);
            Assert.True(o.GetProperty("seconds").GetDouble() >= 0);
            Assert.Equal(seen[i].TotalLoss, o.GetProperty("total").GetDouble());
        }
        Assert.True(File.Exists(Path.Combine(run, DetectionTrainer.ModelFile)));
    }

    [Fact]
    public void NormParametersGetNoWeightDecayOthersDo()
    {
        var m = NewModel();
        var groups = DetectionTrainer.ParamGroups(m, 1e-4, 0);
        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (n, p) in m.NamedParameters()) names[p] = n;
        Assert.Equal(["conv.weight", "conv.bias", "head.weight", "head.bias"], groups[0].Parameters.Select(p => names[p]).ToArray());
        Assert.Equal(["norm.weight", "norm.bias"], groups[1].Parameters.Select(p => names[p]).ToArray());
        Assert.Equal(1e-4, groups[0].WeightDecay);
        Assert.Equal(0, groups[1].WeightDecay);
    }

    [Fact]
    public void EvaluationOutputMatchesCocoEvalRunDirectly()
    {
        var run = data.NewRunDir();
        var t = new DetectionTrainer(NewModel(), Train, Options(run, iters: 4, checkpointEvery: 0));
        t.Train();
        var val = CocoImageFolder.FromDataRoot(data.Root, "val");
        var result = DetectionEvaluator.Evaluate(t.Model, val, run, batchSize: 3);
        Assert.Equal(val.Count, result.Detections.Count); // the tiny detector gives one box per image
        var dt = CocoDetections.Read(Path.Combine(run, DetectionEvaluator.DetectionsFile));
        var direct = CocoEval.Evaluate(CocoDataset.Read(val.AnnotationsPath, DegenerateBoxPolicy.Keep), dt);
        Assert.Equal(direct.Stats.ToArray(), result.Coco.Stats.ToArray());
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, DetectionEvaluator.MetricsFile)));
        Assert.Equal(CocoStats.Names, doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(direct.Stats.ToArray(), doc.RootElement.EnumerateObject().Select(p => p.Value.GetDouble()).ToArray());
        Assert.True(t.Model.Training);
    }

    [Fact]
    public void BadSetupsAreRejectedWithTheArgumentNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => new DetectionTrainer(DetectorZoo.Create(TinyDetector.Name, new DetectorSpec(3)), Train, new TrainerOptions { BatchSize = 2 }));
        Assert.Contains("NumClasses", e.Message, StringComparison.Ordinal);
        var b = Assert.Throws<ArgumentException>(() => new DetectionTrainer(NewModel(), Train, new TrainerOptions { BatchSize = 9 }));
        Assert.Contains("BatchSize", b.Message, StringComparison.Ordinal);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => new DetectionTrainer(NewModel(), Train, new TrainerOptions { Iterations = 0 }));
        Assert.Contains("Iterations", r.Message, StringComparison.Ordinal);
        var u = Assert.Throws<ArgumentException>(() => DetectorZoo.Create("no-such-detector", new DetectorSpec(10)));
        Assert.Contains(TinyDetector.Name, u.Message, StringComparison.Ordinal);
    }
}
