import Foundation
import PackagePlugin

/// Writes BuildInfo.swift for the `alertrelay` executable before every build: the git revision, the build
/// date and the Swift version that `alertrelay --version` prints, as Prometheus' tools do. The work is
/// scripts/build-info.sh's, which rewrites the file only when its contents change (no needless rebuilds).
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        // A build without .git (a Docker build context, a source tarball) takes the revision from here.
        let environment = ProcessInfo.processInfo.environment.filter { ["ALERTRELAY_REVISION", "SOURCE_DATE_EPOCH", "PATH"].contains($0.key) }
        return [
            .prebuildCommand(
                displayName: "Stamping the build (revision, date, Swift version)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    context.package.directoryURL.appending(path: "scripts/build-info.sh").path, context.package.directoryURL.path,
                    output.appending(path: "BuildInfo.swift").path,
                ],
                environment: environment,
                outputFilesDirectory: output
            )
        ]
    }
}
