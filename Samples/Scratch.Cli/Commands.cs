namespace Scratch.Cli;

/// <summary>Dispatches <c>scratch VERB ...</c> to its command.</summary>
internal static class Commands
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine("usage: scratch <command> [options]\n\ncommands:\n  quickstart   train a small classifier on the embedded Fashion-MNIST subset\n  coco-eval    COCO box / mask evaluation of a results file (pycocotools' 12 stats)");
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] == "quickstart") return Quickstart.QuickstartCommand.Run(args[1..]);
        if (args[0] == "coco-eval") return CocoEvalCommand.Run(args[1..]);
        Console.Error.WriteLine($"scratch: unknown command '{args[0]}' (try 'scratch --help')");
        return 2;
    }
}
