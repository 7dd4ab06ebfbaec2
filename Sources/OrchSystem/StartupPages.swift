import Glibc

/// Start-up (argument parsing, config loading, the Swift runtime's first type and
/// conformance lookups) reads pages all over orch's executable mapping, and the
/// kernel maps 64 KiB around each fault. Those pages stay mapped, and counted in
/// orch's RSS, for as long as orch runs, though its event loop never runs most of
/// that code again. `madvise(2)` MADV_DONTNEED on the mapping unmaps them; what the
/// loop does use is mapped back from the page cache on first touch.
///
/// Only the executable's `r-xp` mappings: they are never written (no text
/// relocations), so dropping them loses nothing. Relocated read-only data and
/// writable data are left alone.
public enum StartupPages {
    /// Returns the bytes of executable mapping released (0 when none was found).
    @discardableResult
    public static func release() -> Int {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0, let maps = Processes.readSmallFile("/proc/self/maps") else { return 0 }
        let executable = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var released = 0
        for line in maps.split(separator: "\n") {
            // start-end perms offset dev inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1] == "r-xp", fields[5].trimmingPrefix(while: { $0 == " " }) == executable else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), end > start,
                  let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            if madvise(address, Int(end - start), MADV_DONTNEED) == 0 { released += Int(end - start) }
        }
        return released
    }
}
