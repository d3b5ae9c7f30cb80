import Domain

/// The event front door's public contract, served next to the OpenAPI spec (``EventContractRoutes``):
/// an AsyncAPI document for the two public topics and a JSON Schema (draft 2020-12) for each
/// message. `EventContractTests` checks the schema's required fields against the decoder.
enum EventContract {
    static let submittedSchemaPath = "/events/followupplan-submitted-v1.schema.json"
    static let statusSchemaPath = "/events/followupplan-status-v1.schema.json"
    static let asyncAPIPath = "/events/asyncapi.yaml"

    /// The AsyncAPI document, naming the topics as this deployment calls them (on NAIS
    /// `team-esyfo.followupplan-submitted-v1`, locally `followupplan.submitted.v1`).
    static func asyncAPI(_ topics: EventTopics) -> String {
        #"""
        asyncapi: 2.6.0
        info:
          title: LPS follow-up plan events
          version: 1.0.0
          description: |
            The event front door of the follow-up plan service. Upstream intake systems publish
            plans on `\#(topics.submitted)`; each plan goes through exactly the validation,
            storage and delivery of the HTTP API (`/openapi.yaml`), and its publisher follows it on
            `\#(topics.publicStatus)`. Plans are also readable over HTTP at
            `GET /api/v1/followupplan/{uuid}/sendingstatus` with a token of the employer.
        defaultContentType: application/json
        channels:
          \#(topics.submitted):
            description: |
              Plans to submit. Key: the plan uuid (so that one plan's events keep their order).
              The uuid is the idempotency key: publishing the same event again changes nothing;
              the same uuid with another plan goes to the dead-letter topic. Write access for
              named publishers only; short retention (the topic carries plan text).
            subscribe:
              operationId: receiveSubmission
              summary: The service reads submissions (consumer group oppfolgingsplan-mottak-event-intake).
              message:
                name: PlanSubmitted
                headers:
                  type: object
                  properties:
                    nav-call-id:
                      type: string
                      description: Optional; carried to every log line and event of the plan.
                payload:
                  $ref: '/events/followupplan-submitted-v1.schema.json'
          \#(topics.publicStatus):
            description: |
              Where each plan of the event front door stands, published at every change (and when
              a submission is refused before it is stored). Key: the plan uuid. Each event carries
              the whole state; keep the one with the highest `revision`.
            publish:
              operationId: publishStatus
              summary: The service publishes status events.
              message:
                name: PlanStatus
                payload:
                  $ref: '/events/followupplan-status-v1.schema.json'
        """#
    }

    static let submittedSchema = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "/events/followupplan-submitted-v1.schema.json",
          "title": "followupplan.submitted.v1",
          "description": "A follow-up plan published by an upstream intake system. The plan has exactly the JSON names and rules of the HTTP API's FollowUpPlanDTO (/openapi.yaml); a plan that breaks a rule is answered with a REJECTED status event carrying the ApiError the HTTP API would give.",
          "type": "object",
          "required": ["version", "uuid", "employerOrgNumber", "lpsOrgNumber", "sourceSystem", "plan"],
          "properties": {
            "version": { "const": 1 },
            "uuid": { "type": "string", "format": "uuid", "description": "The publisher's id of the plan: it becomes the plan's uuid and is the idempotency key." },
            "employerOrgNumber": { "type": "string", "pattern": "^[0-9]{9}$", "description": "The employer the plan is for; only its tokens can read the plan over HTTP." },
            "lpsOrgNumber": { "type": "string", "pattern": "^[0-9]{9}$", "description": "The organisation (LPS) that made the plan." },
            "sourceSystem": { "type": "string", "minLength": 1, "maxLength": 100, "description": "The publishing system's name, for logs and support." },
            "plan": {
              "type": "object",
              "required": ["employeeIdentificationNumber", "typicalWorkday", "tasksThatCanStillBeDone", "tasksThatCanNotBeDone",
                           "previousFacilitation", "plannedFacilitation", "followUp", "evaluationDate", "sendPlanToNav",
                           "sendPlanToGeneralPractitioner", "contactPersonFullName", "contactPersonPhoneNumber",
                           "contactPersonEmail", "employeeHasContributedToPlan", "lpsName"],
              "properties": {
                "employeeIdentificationNumber": { "type": "string", "pattern": "^[0-9]{11}$" },
                "typicalWorkday": { "type": "string" },
                "tasksThatCanStillBeDone": { "type": "string" },
                "tasksThatCanNotBeDone": { "type": "string" },
                "previousFacilitation": { "type": "string" },
                "plannedFacilitation": { "type": "string" },
                "otherFacilitationOptions": { "type": ["string", "null"] },
                "followUp": { "type": "string" },
                "evaluationDate": { "type": "string", "format": "date" },
                "sendPlanToNav": { "type": "boolean" },
                "needsHelpFromNav": { "type": ["boolean", "null"], "description": "Only with sendPlanToNav true." },
                "needsHelpFromNavDescription": { "type": ["string", "null"], "description": "Required (not blank) when needsHelpFromNav is true." },
                "sendPlanToGeneralPractitioner": { "type": "boolean" },
                "messageToGeneralPractitioner": { "type": ["string", "null"] },
                "additionalInformation": { "type": ["string", "null"] },
                "contactPersonFullName": { "type": "string" },
                "contactPersonPhoneNumber": { "type": "string" },
                "contactPersonEmail": { "type": "string" },
                "employeeHasContributedToPlan": { "type": "boolean" },
                "employeeHasNotContributedToPlanDescription": { "type": ["string", "null"], "description": "Required (not blank) when employeeHasContributedToPlan is false; absent or empty when true." },
                "lpsName": { "type": "string" },
                "lpsEmail": { "type": ["string", "null"] }
              }
            }
          }
        }
        """#

    static let statusSchema = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "/events/followupplan-status-v1.schema.json",
          "title": "followupplan.status.v1",
          "description": "Where a plan of the event front door stands. The whole state in every event: keep the one with the highest revision. A submission refused before it was stored has revision 0, state REJECTED and channels null.",
          "type": "object",
          "required": ["version", "uuid", "revision", "state", "error", "channels", "updatedAt"],
          "properties": {
            "version": { "const": 1 },
            "uuid": { "type": "string", "format": "uuid" },
            "revision": { "type": "integer", "minimum": 0 },
            "state": { "enum": ["RECEIVED", "REJECTED", "IN_PROGRESS", "COMPLETED", "FAILED"] },
            "error": { "oneOf": [{ "type": "null" }, { "$ref": "#/$defs/ApiError" }], "description": "Why the plan was REJECTED or FAILED." },
            "notice": {
              "oneOf": [
                { "type": "null" },
                {
                  "type": "object",
                  "required": ["type", "message", "since"],
                  "properties": { "type": { "type": "string" }, "message": { "type": "string" }, "since": { "type": "string", "format": "date-time" } }
                }
              ],
              "description": "Added compatibly in version 1 (absent in events written before it): a step waits for NAV's systems (WAITING_FOR_NAV_SYSTEMS); the plan goes on by itself."
            },
            "channels": {
              "oneOf": [
                { "type": "null" },
                {
                  "type": "object",
                  "required": ["nav", "generalPractitioner"],
                  "properties": { "nav": { "$ref": "#/$defs/Channel" }, "generalPractitioner": { "$ref": "#/$defs/Channel" } }
                }
              ]
            },
            "updatedAt": { "type": "string", "format": "date-time" }
          },
          "$defs": {
            "Channel": {
              "type": "object",
              "required": ["state", "error"],
              "properties": {
                "state": { "enum": ["NOT_REQUESTED", "PENDING", "SENT", "FAILED"] },
                "journalpostId": { "type": ["string", "null"], "description": "NAV channel only." },
                "error": { "oneOf": [{ "type": "null" }, { "$ref": "#/$defs/ApiError" }] }
              }
            },
            "ApiError": {
              "type": "object",
              "required": ["status", "type", "message"],
              "properties": {
                "status": {
                  "type": "object",
                  "required": ["value", "description"],
                  "properties": { "value": { "type": "integer" }, "description": { "type": "string" } }
                },
                "type": { "type": "string" },
                "message": { "type": "string" }
              }
            }
          }
        }
        """#
}
