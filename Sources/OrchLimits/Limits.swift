/// Every limit orch enforces and its documentation states, in one place: the code
/// uses these constants, and a test checks README.md and docs/ against them, so
/// the two cannot disagree.
public enum Limits {
    /// Most replicas of one process (`replicas:`, `-m`, `orch ctl scale`).
    public static let replicas = 1000
    /// A child's output line longer than this is split (bytes).
    public static let outputLineBytes = 64 << 10
    /// Unwritten bytes of orch's stdout above which orch stops reading children's pipes.
    public static let outputBufferBytes = 4 << 20
    /// Longest control request line (bytes).
    public static let controlRequestBytes = 1 << 20
    /// Most control connections open at once.
    public static let controlConnections = 64
    /// Unread bytes after which a control client that stops reading is dropped.
    public static let controlPendingBytes = 8 << 20
}
