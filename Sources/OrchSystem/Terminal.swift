import COrchShim
import Glibc

/// The terminal orch was started on, handed to a foreground command and taken back
/// (tcsetpgrp(3), tcgetpgrp(3)).
public enum Terminal {
    /// Whether `fd` is a terminal and orch's process group is its foreground group:
    /// only then may orch give it away.
    public static func ownsForeground(_ fd: Int32) -> Bool {
        orch_terminal_owns(fd) == 1
    }

    /// Makes `group` the foreground process group of the terminal on `fd`; works from
    /// a background group too (SIGTTOU is blocked meanwhile).
    @discardableResult
    public static func giveForeground(_ fd: Int32, to group: Int32) -> Bool {
        orch_terminal_give(fd, group) == 0
    }

    /// Whether child `pid` has stopped (Ctrl-Z) since the last call; its exit is left
    /// for the reaper.
    public static func childStopped(_ pid: Int32) -> Bool {
        orch_child_stopped(pid) == 1
    }

    /// Stops orch as a shell job (SIGTSTP to itself); returns once continued.
    public static func stopSelf() {
        orch_stop_self()
    }

    /// Takes the terminal back for orch's own process group.
    @discardableResult
    public static func takeForeground(_ fd: Int32) -> Bool {
        orch_terminal_give(fd, getpgrp()) == 0
    }
}
