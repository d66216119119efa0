namespace Scratch.Cli;

/// <summary>Entry point of the <c>scratch</c> command.</summary>
public static class Program
{
    public static int Main(string[] args) => Commands.Run(args);
}
