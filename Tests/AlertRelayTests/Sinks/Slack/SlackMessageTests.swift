import AlertRelayTestSupport
import Foundation
import Testing

@testable import AlertRelay

@Suite struct SlackMessageTests {
    func blocks(_ notification: AlertNotification) -> [SlackMessage.Block] {
        let delivery = Delivery(
            jobID: 1, notificationID: "n", source: "alertmanager", acceptedAt: Date(), receiver: "platform", notification: notification, attempt: 1
        )
        return SlackMessage(delivery, options: .standard).attachments.first?.blocks ?? []
    }

    @Test func aGroupWithFiringAndResolvedAlertsShowsThemUnderTheirOwnHeadings() throws {
        let notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/02-firing-1-resolved-1-firing.json"))
        let shown = blocks(notification).map { block in block.text?.text ?? block.elements?.first?.text ?? "" }
        try #require(shown.count == 5)
        #expect(shown[1] == "*Firing (1)*" && shown[2].hasPrefix(":red_circle: *DiskFull on db2:9100*"))
        #expect(shown[3] == "*Resolved (1)*" && shown[4].hasPrefix(":large_green_circle: *DiskFull on db1:9100*"))
    }

    @Test func aLargeMixedGroupStaysWithinSlacksFiftyBlocks() throws {
        var notification = try AlertNotification.decode(json: try Fixtures.bytes("alertmanager/02-firing-1-resolved-1-firing.json"))
        let firing = try #require(notification.alerts.first { $0.status == .firing })
        let resolved = try #require(notification.alerts.first { $0.status == .resolved })
        notification.alerts = (0..<40).map { _ in firing } + (0..<40).map { _ in resolved }
        let all = blocks(notification)
        #expect(all.count == 50)
        #expect(all.last?.elements?.first?.text == "…and 34 more alerts in this group")
        // 49 alerts and no headings: with the header, exactly fifty blocks, so no "and more" line.
        notification.alerts = (0..<49).map { _ in firing }
        #expect(blocks(notification).count == 50)
    }
}
