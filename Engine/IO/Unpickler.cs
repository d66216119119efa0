using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Scratch.IO;

/// <summary>A global the pickle named that the allowlist admitted (a callable or class reference, never resolved to
/// code).</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A restricted pickle virtual machine (protocols 0-5 binary opcodes; the text opcodes torch never writes
/// are refused). It builds plain data (None, bool, long, BigInteger, double, string, byte[], lists, tuples, dicts)
/// and hands globals, calls, BUILD and persistent ids to the caller's hooks, which decide what is allowed. Every
/// length is checked against the bytes left before anything is allocated; every failure is an
/// <see cref="InvalidDataException"/> naming the file and the byte offset.</summary>
internal sealed class Unpickler(byte[] data, string source)
{
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    /// <summary>Maps (module, name) to a global object, or throws <see cref="UnsafePickleException"/>.</summary>
    public required Func<string, string, object> ResolveGlobal { get; init; }

    /// <summary>Calls an allowlisted callable (REDUCE and NEWOBJ).</summary>
    public required Func<object, PickleTuple, object?> Call { get; init; }

    /// <summary>Applies a BUILD state to an object.</summary>
    public required Action<object?, object?> Build { get; init; }

    /// <summary>Resolves a persistent id (BINPERSID).</summary>
    public required Func<object?, object?> PersistentLoad { get; init; }

    /// <summary>Runs the program to STOP and returns the top of the stack.</summary>
    public object? Load()
    {
        while (true)
        {
            if (_pos >= data.Length) throw Bad("pickle ended without STOP");
            var at = _pos;
            var op = data[_pos++];
            try
            {
                if (Step(op)) break;
            }
            catch (InvalidDataException) { throw; }
            catch (Exception e) when (e is ArgumentException or InvalidCastException or OverflowException or KeyNotFoundException or FormatException)
            {
                throw new InvalidDataException($"{source}: pickle opcode 0x{op:x2} at byte {at}: {e.Message}", e);
            }
        }
        if (_stack.Count != 1) throw Bad($"STOP with {_stack.Count} items on the stack (expected 1)");
        return _stack[0];
    }

    private bool Step(byte op)
    {
        switch (op)
        {
            case 0x80: // PROTO
                var proto = ReadByte();
                if (proto > 5) throw Bad($"unsupported pickle protocol {proto}");
                break;
            case 0x95: Take(8); break; // FRAME: a length hint only
            case (byte)'.': return true; // STOP
            case (byte)'}': Push(new PickleDict()); break;
            case (byte)']': Push(new List<object?>()); break;
            case (byte)')': Push(new PickleTuple([])); break;
            case 0x8f: Push(new List<object?>()); break; // EMPTY_SET (kept as a list)
            case (byte)'(': _marks.Push(_stack.Count); break;
            case (byte)'0': Pop(); break;
            case (byte)'1': PopMark(); break;
            case (byte)'2': Push(Peek()); break;
            case (byte)'X': Push(Utf8(Length(Take(4), 4))); break;
            case 0x8d: Push(Utf8(Length(Take(8), 8))); break;
            case 0x8c: Push(Utf8(ReadByte())); break;
            case (byte)'T': Push(Encoding.Latin1.GetString(Take(Length(Take(4), 4)))); break; // BINSTRING
            case (byte)'U': Push(Encoding.Latin1.GetString(Take(ReadByte()))); break; // SHORT_BINSTRING
            case (byte)'B': Push(Take(Length(Take(4), 4)).ToArray()); break;
            case (byte)'C': Push(Take(ReadByte()).ToArray()); break;
            case 0x8e: case 0x96: Push(Take(Length(Take(8), 8)).ToArray()); break;
            case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
            case (byte)'K': Push((long)ReadByte()); break;
            case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
            case 0x8a: Push(Long(Take(ReadByte()))); break;
            case 0x8b: Push(Long(Take(Length(Take(4), 4)))); break;
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
            case 0x88: Push(true); break;
            case 0x89: Push(false); break;
            case (byte)'N': Push(null); break;
            case 0x85: Push(new PickleTuple([Pop()])); break;
            case 0x86: { var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b])); break; }
            case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new PickleTuple([a, b, c])); break; }
            case (byte)'t': Push(new PickleTuple(PopMark().ToArray())); break;
            case (byte)'l': Push(PopMark()); break;
            case (byte)'d': { var items = PopMark(); var d = new PickleDict(); SetItems(d, items); Push(d); break; }
            case 0x91: Push(PopMark()); break; // FROZENSET
            case 0x90: { var items = PopMark(); As<List<object?>>(Peek(), "ADDITEMS target").AddRange(items); break; }
            case (byte)'s': { var v = Pop(); var k = Pop(); As<PickleDict>(Peek(), "SETITEM target")[k] = v; break; }
            case (byte)'u': { var items = PopMark(); SetItems(As<PickleDict>(Peek(), "SETITEMS target"), items); break; }
            case (byte)'a': { var v = Pop(); As<List<object?>>(Peek(), "APPEND target").Add(v); break; }
            case (byte)'e': { var items = PopMark(); As<List<object?>>(Peek(), "APPENDS target").AddRange(items); break; }
            case (byte)'q': _memo[ReadByte()] = Peek(); break;
            case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break;
            case 0x94: _memo[_memo.Count] = Peek(); break;
            case (byte)'h': Push(Get(ReadByte())); break;
            case (byte)'j': Push(Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
            case (byte)'c': { var module = Line(); var name = Line(); Push(ResolveGlobal(module, name)); break; }
            case 0x93:
            {
                var name = As<string>(Pop(), "STACK_GLOBAL name");
                var module = As<string>(Pop(), "STACK_GLOBAL module");
                Push(ResolveGlobal(module, name));
                break;
            }
            case (byte)'R': { var args = As<PickleTuple>(Pop(), "REDUCE arguments"); var f = Pop(); Push(Call(f ?? throw Bad("REDUCE on None"), args)); break; }
            case 0x81: { var args = As<PickleTuple>(Pop(), "NEWOBJ arguments"); var cls = Pop(); Push(Call(cls ?? throw Bad("NEWOBJ on None"), args)); break; }
            case 0x92:
            {
                var kwargs = As<PickleDict>(Pop(), "NEWOBJ_EX kwargs");
                var args = As<PickleTuple>(Pop(), "NEWOBJ_EX arguments");
                var cls = Pop();
                if (kwargs.Count != 0) throw Bad("NEWOBJ_EX with keyword arguments is not supported");
                Push(Call(cls ?? throw Bad("NEWOBJ_EX on None"), args));
                break;
            }
            case (byte)'b': { var state = Pop(); Build(Peek(), state); break; }
            case (byte)'Q': Push(PersistentLoad(Pop())); break;
            case (byte)'i' or (byte)'o':
                throw new UnsafePickleException($"{source}: pickle opcode {(op == 'i' ? "INST" : "OBJ")} at byte {_pos - 1} is not allowed");
            case 0x82 or 0x83 or 0x84:
                throw new UnsafePickleException($"{source}: pickle extension-registry opcode at byte {_pos - 1} is not allowed");
            default:
                throw Bad($"unsupported pickle opcode 0x{op:x2} ('{(char)op}')");
        }
        return false;
    }

    private void SetItems(PickleDict d, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Bad("SETITEMS with an odd number of items");
        for (var i = 0; i < items.Count; i += 2) d[items[i]] = items[i + 1];
    }

    private T As<T>(object? v, string what) =>
        v is T t ? t : throw Bad($"{what} expected {typeof(T).Name}, got {PickleKey.Show(v)}");

    private void Push(object? v) => _stack.Add(v);

    private object? Pop()
    {
        var floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Bad("stack underflow");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek()
    {
        var floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Bad("stack underflow");
        return _stack[^1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Bad("no MARK on the stack");
        var at = _marks.Pop();
        var items = _stack.GetRange(at, _stack.Count - at);
        _stack.RemoveRange(at, _stack.Count - at);
        return items;
    }

    private object? Get(long key) => _memo.TryGetValue(key, out var v) ? v : throw Bad($"memo key {key} was never stored");

    private byte ReadByte() => _pos < data.Length ? data[_pos++] : throw Bad("unexpected end of data");

    private ReadOnlySpan<byte> Take(long n)
    {
        if (n < 0 || n > data.Length - _pos) throw Bad($"length {n} runs past the end of the data ({data.Length - _pos} bytes left)");
        var s = data.AsSpan(_pos, (int)n);
        _pos += (int)n;
        return s;
    }

    private long Length(ReadOnlySpan<byte> le, int width)
    {
        var n = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(le) : BinaryPrimitives.ReadUInt64LittleEndian(le);
        if (n > (ulong)(data.Length - _pos)) throw Bad($"declared length {n} runs past the end of the data ({data.Length - _pos} bytes left)");
        return (long)n;
    }

    private string Utf8(long n) => Encoding.UTF8.GetString(Take(n));

    private static object Long(ReadOnlySpan<byte> le)
    {
        if (le.Length == 0) return 0L;
        if (le.Length <= 8)
        {
            long v = 0;
            for (var i = le.Length - 1; i >= 0; i--) v = (v << 8) | le[i];
            var shift = 64 - 8 * le.Length;
            return shift == 0 ? v : (v << shift) >> shift; // sign-extend
        }
        var big = new BigInteger(le, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    private string Line()
    {
        var end = Array.IndexOf(data, (byte)'\n', _pos);
        if (end < 0 || end - _pos > 4096) throw Bad("GLOBAL name is not newline-terminated");
        var s = Encoding.UTF8.GetString(data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private InvalidDataException Bad(string problem) => new($"{source}: pickle byte {_pos}: {problem}.");
}
