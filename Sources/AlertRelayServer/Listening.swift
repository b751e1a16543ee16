import AlertRelay
import AlertRelayCurl
import AlertRelayStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A listener could not open its socket: the process ends with this one line instead of running without it.
public struct ListenError: Error, CustomStringConvertible {
    public var address: ListenAddress
    public var reason: String

    public var description: String { "cannot listen on \(address): \(reason)" }
}

/// A listener as a service, whose failure to open its socket says which address it was.
struct Listening<Application: Service>: Service {
    let address: ListenAddress
    let application: Application

    func run() async throws {
        do {
            try await application.run()
        } catch let error as IOError where [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(error.errnoCode) {
            throw ListenError(address: address, reason: String(cString: strerror(error.errnoCode)).lowercased())
        }
    }
}
