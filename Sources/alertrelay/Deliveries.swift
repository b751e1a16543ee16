import AlertRelay
import AlertRelayCurl
import ArgumentParser
import Foundation

/// `alertrelay deliveries ...`: the admin API from the command line, against a running service.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect, replay and drop deliveries of a running AlertRelay (needs the admin token).",
        subcommands: [List.self, Show.self, Retry.self, Drop.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first.")
        @OptionGroup var connection: AdminConnection
        @Option(help: "pending, retrying, delivering, delivered, dead or muted.") var state: String?
        @Option(help: "Only this receiver's.") var receiver: String?
        @Option(help: "Only the deliveries of this notification (the id a webhook was answered with).") var notification: String?
        @Option(help: "At most this many.") var limit = 50
        @Option(help: "Only ids below this (the previous page's 'next').") var before: Int64?

        func run() async throws {
            var query = ["limit=\(limit)"]
            if let state { query.append("state=\(state)") }
            if let receiver { query.append("receiver=\(receiver.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? receiver)") }
            if let notification { query.append("notification=\(notification.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? notification)") }
            if let before { query.append("before=\(before)") }
            let body = try await connection.call("GET", "/api/v1/deliveries?" + query.joined(separator: "&"))
            guard let page = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let deliveries = page["deliveries"] as? [[String: Any]]
            else { throw CLIError("unexpected answer") }
            print(["ID", "STATE", "ATTEMPTS", "SINK", "CREATED", "LAST ERROR"].joined(separator: "\t"))
            for delivery in deliveries {
                let sink = "\(delivery["receiver"] ?? "")/\(delivery["sink"] ?? "")"
                let fields = [delivery["id"], delivery["state"], delivery["attempts"], sink, delivery["created_at"], delivery["last_error"]]
                print(fields.map { value in (value as? any CustomStringConvertible)?.description ?? "" }.joined(separator: "\t"))
            }
            if let next = page["next"] { print("(more: --before \(next))") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one delivery with its attempts and payload.")
        @OptionGroup var connection: AdminConnection
        @Argument var id: Int64

        func run() async throws {
            let body = try await connection.call("GET", "/api/v1/deliveries/\(id)")
            let object = try JSONSerialization.jsonObject(with: Data(body))
            let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: pretty, as: UTF8.self))
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Requeue one delivery, or all in a state (dead letters by default) with --all.")
        @OptionGroup var connection: AdminConnection
        @Argument var id: Int64?
        @Flag(help: "Requeue every delivery in --state.") var all = false
        @Option(help: "With --all: dead (default), muted, retrying or pending.") var state = "dead"
        @Option(help: "With --all: only this receiver's.") var receiver: String?

        func validate() throws {
            guard (id != nil) != all else { throw ValidationError("give a delivery id or --all") }
        }

        func run() async throws {
            if let id {
                _ = try await connection.call("POST", "/api/v1/deliveries/\(id)/retry")
                print("requeued \(id)")
            } else {
                var path = "/api/v1/deliveries/retry?state=\(state)"
                if let receiver { path += "&receiver=\(receiver.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? receiver)" }
                let body = try await connection.call("POST", path)
                let count = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["count"] ?? 0
                print("requeued \(count)")
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete one delivery for good.")
        @OptionGroup var connection: AdminConnection
        @Argument var id: Int64

        func run() async throws {
            _ = try await connection.call("DELETE", "/api/v1/deliveries/\(id)")
            print("dropped \(id)")
        }
    }
}
