import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An append-only JSON Lines file whose appends return only once the line is on disk (`fdatasync`).
///
/// Appends that arrive while a flush is running are written and synced together by the next flush
/// (``GroupCommit``), so concurrent writers share one disk flush instead of queueing for one each. A failed write is
/// cut back off the file, so that it never holds half a line; a line left half written by a crash is cut off
/// when the file is opened again (it was never acknowledged).
public actor JSONLinesOutbox {
    public nonisolated let path: String
    private let descriptor: Int32
    private let committer: GroupCommit<[UInt8], Void>
    /// The last write error, until a write succeeds again; `/-/ready` reports it.
    public private(set) var failure: OutboxError?

    public init(path: String) throws(OutboxError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw OutboxError(path: directory, operation: "create directory", code: (error as NSError).code)
        }
        // O_NOFOLLOW: a symbolic link planted at the outbox's path would have the torn-tail repair below
        // truncate whatever file it points to.
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw OutboxError(path: path, operation: "open", code: errno) }
        self.descriptor = descriptor
        let io = DispatchQueue(label: "alertrelay.outbox")
        self.committer = GroupCommit { lines in
            // One write and one fdatasync for the whole batch, off the cooperative pool.
            let result: Result<Void, any Error> = await withCheckedContinuation { continuation in
                io.async { continuation.resume(returning: Result { try Self.write(lines, to: descriptor, path: path) }) }
            }
            return Array(repeating: result, count: lines.count)
        }
        try Self.cutTornTail(descriptor, path: path)
        // Make the file's directory entry durable too.
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    deinit { close(descriptor) }

    /// Appends one line (without its newline) and returns once it is durable.
    public func append(_ line: [UInt8]) async throws(OutboxError) {
        do {
            try await committer.submit(line)
            failure = nil
        } catch {
            let error = error as? OutboxError ?? OutboxError(path: path, operation: "write", code: EIO)
            failure = error
            throw error
        }
    }

    private static func write(_ lines: [[UInt8]], to descriptor: Int32, path: String) throws(OutboxError) {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            buffer += line
            buffer.append(UInt8(ascii: "\n"))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw OutboxError(path: path, operation: "stat", code: errno) }
        let sizeBefore = status.st_size
        do throws(OutboxError) {
            var offset = 0
            while offset < buffer.count {
                let written = buffer.withUnsafeBytes { bytes in
                    Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw OutboxError(path: path, operation: "write", code: errno)
                }
                offset += written
            }
            guard fdatasync(descriptor) == 0 else { throw OutboxError(path: path, operation: "fdatasync", code: errno) }
        } catch {
            _ = ftruncate(descriptor, sizeBefore)
            throw error
        }
    }

    /// Cuts everything after the last newline: the remains of a write that a crash interrupted.
    private static func cutTornTail(_ descriptor: Int32, path: String) throws(OutboxError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw OutboxError(path: path, operation: "stat", code: errno) }
        var end = status.st_size
        var chunk = [UInt8](repeating: 0, count: 4096)
        scan: while end > 0 {
            let start = max(0, end - off_t(chunk.count))
            let count = Int(end - start)
            guard pread(descriptor, &chunk, count, start) == count else {
                throw OutboxError(path: path, operation: "read", code: errno)
            }
            if let newline = chunk[..<count].lastIndex(of: UInt8(ascii: "\n")) {
                end = start + off_t(newline) + 1
                break scan
            }
            end = start
        }
        if end != status.st_size {
            guard ftruncate(descriptor, end) == 0, fdatasync(descriptor) == 0 else {
                throw OutboxError(path: path, operation: "truncate", code: errno)
            }
        }
    }
}

public struct OutboxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    init(path: String, operation: String, code: Int) {
        self.init(path: path, operation: operation, code: Int32(truncatingIfNeeded: code))
    }

    init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var description: String {
        if code == ELOOP { return "\(operation) \(path): it is a symbolic link; AlertRelay writes only to a regular file it owns" }
        return "\(operation) \(path): \(String(cString: strerror(code)))"
    }
}
