namespace Scratch.Cli;

/// <summary>Dispatches <c>scratch VERB ...</c> to its command.</summary>
internal static class Commands
{
    private const string Usage =
        "usage: scratch <command> [options]\n\ncommands:\n" +
        "  quickstart   train BorderDet on a FashionDet set built from embedded data, evaluate, draw (--cnn: the small CNN)\n" +
        "  bench        time a kernel: bench gemm --n N [--m M --k K] [--threads T] [--dtype f32|f64] [--json]\n" +
        "  coco-eval    COCO box / mask evaluation of a results file (pycocotools' 12 stats)\n" +
        "  data         generate a dataset: data fashiondet --out DIR --train N --val M --seed S [--size 320]\n" +
        "  train        train a detector: train DETECTOR --data DIR --out RUN [--iters N --batch B --lr LR --resume ...]\n" +
        "  eval         COCO-evaluate detector weights: eval DETECTOR --weights W --data DIR [--json]\n" +
        "  infer        draw detections on an image: infer DETECTOR --weights W --image IMG.png --out OUT.png [--score 0.3]\n" +
        "  onnx         run an ONNX model (onnx run MODEL --input NAME=FILE) or ONNX node tests (onnx node-tests DIR)\n" +
        "  train simo|mocov2 / eval linear   contrastive pre-training and its linear probe (train simo --help)";

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }
        if (EqCo.EqCoCommand.Handles(args)) return EqCo.EqCoCommand.Run(args);
        switch (args[0])
        {
            case "quickstart": return Quickstart.QuickstartCommand.Run(args[1..]);
            case "bench": return Bench.BenchCommand.Run(args[1..]);
            case "coco-eval": return CocoEvalCommand.Run(args[1..]);
            case "data": return DataCommand.Run(args[1..]);
            case "train": return Train.TrainCommand.Run(args[1..]);
            case "eval": return Train.EvalCommand.Run(args[1..]);
            case "infer": return Train.InferCommand.Run(args[1..]);
            case "onnx": return Onnx.OnnxCommand.Run(args[1..]);
        }
        Console.Error.WriteLine($"scratch: unknown command '{args[0]}' (try 'scratch --help')");
        return 2;
    }
}
