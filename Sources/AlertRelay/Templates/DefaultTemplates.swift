/// The templates AlertRelay uses when a config names none. `alertrelay templates NAME` prints one, as a
/// starting point for a file of the same name under the config's `templates`, which then replaces it.
public enum DefaultTemplates {
    /// `[FIRING:2] DiskFull`, `[RESOLVED] DiskFull`; a test-fire is marked. Included by the email subject and
    /// the Slack title and text.
    static let title = """
        {{#test}}[TEST] {{/test}}[{{#firing}}FIRING:{{counts.firing}}{{/firing}}{{^firing}}RESOLVED{{/firing}}] {{name}}
        """

    static let emailSubject = "{{> title}}"

    static let emailText = """
        {{subject}}
        {{#externalURL}}
        Alertmanager: {{.}}
        {{/externalURL}}
        {{#alertSections}}

        {{heading}} ({{count}})
        {{#alerts}}

        [{{uppercased(status)}}] {{summary}}
        {{#description}}
          {{.}}
        {{/description}}
        {{#valueString}}
          Value: {{.}}
        {{/valueString}}
        {{#labelList}}
          {{name}} = {{value}}
        {{/labelList}}
        {{#links}}
          {{label}}: {{url}}
        {{/links}}
          Started: {{startsAt}}
        {{#endsAt}}
          Ended: {{.}}
        {{/endsAt}}
        {{/alerts}}
        {{/alertSections}}
        {{#truncatedAlerts}}

        ...and {{.}} more alerts (truncated by the sender)
        {{/truncatedAlerts}}
        """

    static let emailHTML = """
        <!DOCTYPE html>
        <html><body style="font-family:sans-serif">
        <h2>{{subject}}</h2>
        {{#alertSections}}
        <h3>{{heading}} ({{count}})</h3>
        {{#alerts}}
        <div style="border-left:4px solid {{color}};padding-left:8px;margin-bottom:12px">
        <strong>{{summary}}</strong>
        {{#description}}
        <p>{{.}}</p>
        {{/description}}
        {{#valueString}}
        <p style="font-family:monospace;color:#444">{{.}}</p>
        {{/valueString}}
        <table>
        {{#labelList}}
        <tr><td>{{name}}</td><td>{{value}}</td></tr>
        {{/labelList}}
        </table>
        {{#links}}
        <a href="{{url}}">{{label}}</a>
        {{/links}}
        <p style="color:#666">Started {{startsAt}}{{#endsAt}}, ended {{.}}{{/endsAt}}</p>
        </div>
        {{/alerts}}
        {{/alertSections}}
        {{#truncatedAlerts}}
        <p>...and {{.}} more alerts (truncated by the sender)</p>
        {{/truncatedAlerts}}
        {{#externalURL}}
        <p><a href="{{.}}">Alertmanager</a></p>
        {{/externalURL}}
        </body></html>
        """

    static let slackTitle = "{{> title}}"

    /// The message's `text`: what a phone notification shows, and the fallback of clients without blocks.
    /// Firing and resolved alerts of a group are listed apart.
    static let slackText = """
        *{{> title}}*
        {{#alertSections}}
        _{{heading}}:_
        {{#alerts}}
        • {{summary}}
        {{/alerts}}
        {{/alertSections}}
        {{#truncatedAlerts}}
        …and {{.}} more alerts (truncated by the sender)
        {{/truncatedAlerts}}
        """

    /// One section block per alert, in mrkdwn; the start is shown in each reader's own time zone.
    static let slackAlert = """
        {{#firing}}:red_circle:{{/firing}}{{^firing}}:large_green_circle:{{/firing}} *{{summary}}*
        {{#severity}}
        *Severity:* {{.}}
        {{/severity}}
        {{#description}}
        {{.}}
        {{/description}}
        {{#valueString}}
        *Value:* `{{.}}`
        {{/valueString}}
        *Started:* <!date^{{startsAtUnix}}^{date_short_pretty} {time}|{{startsAt}}>{{#endsAt}} · *Ended:* {{.}}{{/endsAt}}
        {{#extraLabelList}}`{{name}}={{value}}`{{^last()}} {{/last()}}{{/extraLabelList}}
        {{#links}}<{{url}}|{{label}}>{{^last()}} · {{/last()}}{{/links}}
        """

    public static var names: Set<String> { Set(all.map(\.name)) }

    /// Every default, by the name a file replaces it with.
    public static let all: [(name: String, text: String)] = [
        ("title", title),
        ("email.subject", emailSubject), ("email.text", emailText), ("email.html", emailHTML),
        ("slack.title", slackTitle), ("slack.text", slackText), ("slack.alert", slackAlert),
    ]
}
