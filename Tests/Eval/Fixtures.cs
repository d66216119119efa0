namespace Scratch.Tests.Eval;

/// <summary>Locates Tests/Fixtures in the source tree (walking up from the test assembly's folder).</summary>
internal static class Fixtures
{
    public static string Path(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "Tests", "Fixtures");
            if (Directory.Exists(candidate)) return System.IO.Path.Combine([candidate, .. parts]);
            dir = dir.Parent;
        }
        throw new DirectoryNotFoundException($"Tests/Fixtures not found above {AppContext.BaseDirectory}.");
    }
}
