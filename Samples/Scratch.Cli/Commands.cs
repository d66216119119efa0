namespace Scratch.Cli;

/// <summary>Dispatches <c>scratch VERB ...</c> to its command.</summary>
internal static class Commands
{
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine("usage: scratch <command> [options]\n\ncommands:\n  quickstart   train a small classifier on the embedded Fashion-MNIST subset\n  bench        time a kernel: bench gemm --n N [--m M --k K] [--threads T] [--dtype f32|f64] [--json]");
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] == "quickstart") return Quickstart.QuickstartCommand.Run(args[1..]);
        if (args[0] == "bench") return Bench.BenchCommand.Run(args[1..]);
        Console.Error.WriteLine($"scratch: unknown command '{args[0]}' (try 'scratch --help')");
        return 2;
    }
}
