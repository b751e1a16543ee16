import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The data directory, created private to the service's user and locked, so that a second instance started
/// on the same directory refuses to run instead of interleaving writes with the first.
public final class DataDirectory: Sendable {
    public let url: URL
    private let lockDescriptor: Int32

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
        let lockPath = url.appendingPathComponent("alertrelay.lock").path
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
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
