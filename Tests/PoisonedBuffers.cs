using System.Runtime.CompilerServices;

namespace Scratch.Tests;

/// <summary>Runs the whole suite with every buffer an op allocates without zeroing filled with NaN (all-ones bytes):
/// a kernel that leaves part of such an output unwritten, or reads it before writing, then fails the op's tests.</summary>
internal static class PoisonedBuffers
{
    [ModuleInitializer]
    internal static void TurnOn() => Scratch.Backends.HostPool.PoisonUninitialized = true;
}
