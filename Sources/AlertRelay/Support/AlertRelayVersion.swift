import Foundation

public enum AlertRelayVersion {
    public static let current = "0.2.0"
}
