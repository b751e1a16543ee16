import Foundation

/// A config or secrets file that another user of the host can change, or swap for one of their own, would let
/// them redirect alerts or forge webhooks: AlertRelay refuses to use one.
///
/// The file checked is the one a path leads to, through symbolic links (Kubernetes mounts ConfigMap and Secret
/// keys as `name -> ..data/name`, and a link's own mode is always 0777). Every directory on the way, on the
/// path as written and on the path the links resolve to, is checked too: a directory every user can write to
/// lets any of them replace what is in it, unless it has the sticky bit (`/tmp`, and the tmpfs Kubernetes
/// mounts secrets on) and the entry is owned by root or by this process's user.
enum FilePermissions {
    /// Why the file at `path` cannot be trusted, or nil. A path that does not exist is nil: reading it says so.
    static func problem(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        let resolved = String(cString: pointer)
        free(pointer)
        var target = stat()
        guard stat(resolved, &target) == 0 else { return nil }
        if target.st_mode & 0o002 != 0 {
            let shown = resolved == path ? "" : " (\(resolved), where the link leads)"
            return "writable by every user of this host\(shown), who could then redirect alerts or forge webhooks; run chmod o-w on it"
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        for chain in [absolute, resolved] {
            if let problem = directoryProblem(on: chain) { return problem }
        }
        return nil
    }

    /// The first entry on `path` (as written, links not followed) that sits in a directory any user can
    /// change it in.
    private static func directoryProblem(on path: String) -> String? {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var parent = "/"
        for component in components where component != "." {
            let entry = parent == "/" ? "/" + component : parent + "/" + component
            defer { parent = entry }
            var directory = stat()
            var item = stat()
            guard stat(parent, &directory) == 0, lstat(entry, &item) == 0 else { return nil }
            guard directory.st_mode & 0o002 != 0 else { continue }
            if directory.st_mode & S_ISVTX == 0 {
                return "\(entry) is in \(parent), which every user of this host can write to (mode \(String(directory.st_mode & 0o7777, radix: 8))), so any of them could replace it; move it to a directory only its owner can write to"
            }
            if item.st_uid != 0, item.st_uid != geteuid() {
                return "\(entry) is in \(parent), which every user can write to, and belongs to user \(item.st_uid), neither root nor this process's user, who could replace it; move it to a directory only its owner can write to"
            }
        }
        return nil
    }
}
