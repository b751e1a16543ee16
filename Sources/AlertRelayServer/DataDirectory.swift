import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The data directory, created private to the service's user and locked, so that a second instance started
/// on the same directory refuses to run instead of interleaving writes with the first.
public final class DataDirectory: Sendable {
    public let url: URL
    private let lockDescriptor: Int32
    /// The mode an existing directory had when it was open to other users, before it was made 0700.
    public let tightenedFrom: mode_t?

    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    public init(url: URL) throws(Error) {
        self.url = url
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Error(description: "cannot create data directory \(url.path): \((error as NSError).localizedDescription)")
        }
        // The queue holds alert contents: an existing directory that others can read or enter is made private.
        var status = stat()
        guard lstat(url.path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw Error(description: "data directory \(url.path) is not a directory")
        }
        if status.st_mode & 0o077 != 0 {
            guard chmod(url.path, 0o700) == 0 else {
                throw Error(description: "data directory \(url.path) is open to other users (mode \(String(status.st_mode & 0o777, radix: 8))) and cannot be made 0700: \(String(cString: strerror(errno)))")
            }
            tightenedFrom = status.st_mode & 0o777
        } else {
            tightenedFrom = nil
        }
        let lockPath = url.appendingPathComponent("alertrelay.lock").path
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw Error(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Error(description: "data directory \(url.path) is in use by another alertrelay process")
        }
        self.lockDescriptor = descriptor
    }

    deinit { close(lockDescriptor) }
}
