@_spi(Testing) import AlertRelay
import ArgumentParser
import Foundation

/// `alertrelay-bench decode`: the A/B that decides whether PayloadScanner earns its place. For each payload,
/// in the same run and interleaved, the time to decode it as the durable path does (ingest's
/// `AlertNotification.decode(json:)` and the workers' `decodeStored`, both through the scanner) and with
/// JSONDecoder alone. Prints one JSON line per payload and a summary line.
struct DecodeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode", abstract: "Time the payload scanner against JSONDecoder on the same payloads."
    )

    @Argument(help: "Webhook bodies (JSON files).")
    var payloads: [String]

    @Option(help: "Decodes timed per payload and decoder.")
    var iterations = 20_000

    func run() throws {
        var scannerTotal = Duration.zero
        var decoderTotal = Duration.zero
        for path in payloads {
            let body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            guard (try? AlertNotification.decode(json: body)) != nil, AlertNotification.scannerAgreesWithJSONDecoder(body) else {
                throw ValidationError("\(path): not a payload both decoders read alike")
            }
            let data = Data(body)
            let decoder = JSONDecoder()
            var scanner = Duration.zero
            var json = Duration.zero
            let clock = ContinuousClock()
            // Interleaved in rounds of 100, so both see the same machine.
            for _ in 0..<(iterations / 100) {
                scanner += clock.measure {
                    for _ in 0..<100 { _ = try? AlertNotification.decodeStored(body) }
                }
                json += clock.measure {
                    for _ in 0..<100 { _ = try? decoder.decode(AlertNotification.self, from: data) }
                }
            }
            scannerTotal += scanner
            decoderTotal += json
            let count = Double(iterations / 100 * 100)
            print(
                #"{"payload":"\#(URL(fileURLWithPath: path).lastPathComponent)","bytes":\#(body.count),"#
                    + #""scanner_us":\#(micros(scanner) / count),"jsondecoder_us":\#(micros(json) / count),"#
                    + #""speedup":\#(micros(json) / micros(scanner))}"#
            )
        }
        print(#"{"summary":"scanner against JSONDecoder, all payloads","speedup":\#(micros(decoderTotal) / micros(scannerTotal))}"#)
    }

    private func micros(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }
}
