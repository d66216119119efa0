namespace Scratch;

public enum Reduction { None, Mean, Sum }
