/// Copies name bytes into a scanner-owned buffer. Names are short (a dozen bytes): a byte loop
/// beats a call to `memmove` for them, which is what `copyMemory` compiles to.
@inline(__always)
func copyName(to target: UnsafeMutablePointer<UInt8>, from source: UnsafeRawPointer, _ count: Int) {
    if count > 32 {
        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: count)
        return
    }
    for index in 0..<count { target[index] = source.load(fromByteOffset: index, as: UInt8.self) }
}
