import Foundation

/// A config or secrets file any user of the host can change would let them redirect alerts or forge
/// webhooks: AlertRelay refuses to use one.
enum FilePermissions {
    static let worldWritableMessage = "writable by every user of this host, who could then redirect alerts or forge webhooks; run chmod o-w on it"

    static func isWorldWritable(_ path: String) -> Bool {
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int else { return false }
        return mode & 0o002 != 0
    }
}
