import ArgumentParser

/// `alertrelay-bench`: measurements scripts/bench.sh drives. `queue` (the default) times the store's
/// operations at a backlog; `decode` sets the payload scanner against JSONDecoder.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertrelay-bench",
        abstract: "AlertRelay's micro-benchmarks (each prints JSON lines).",
        subcommands: [QueueBench.self, DecodeBench.self],
        defaultSubcommand: QueueBench.self
    )
}
