import AlertRelay

extension BuildInfo {
    /// `alertrelay --version`, laid out as Prometheus' tools print theirs.
    static var versionText: String {
        #if arch(x86_64)
        let architecture = "amd64"
        #elseif arch(arm64)
        let architecture = "arm64"
        #else
        let architecture = "unknown"
        #endif
        #if os(Linux)
        let system = "linux"
        #else
        let system = "darwin"
        #endif
        return """
            alertrelay, version \(AlertRelayVersion.current) (branch: \(branch), revision: \(revision))
              build date:       \(date)
              swift version:    \(swiftVersion)
              platform:         \(system)/\(architecture)
            """
    }
}
