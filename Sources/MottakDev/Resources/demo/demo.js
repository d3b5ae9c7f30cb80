// The demo form of `mottak-dev`: builds the contract's FollowUpPlanDTO from the form, gets a
// token of the local Maskinporten (/demo/token), submits with `Prefer: respond-async`, and
// polls the status resource until the plan is COMPLETED, REJECTED or FAILED.
"use strict";

const form = document.getElementById("plan");
const answer = document.getElementById("answer");
const statusView = document.getElementById("status");
const finalState = document.getElementById("final-state");
const evaluation = form.elements.evaluationDate;
if (!evaluation.value) {
  evaluation.value = new Date(Date.now() + 42 * 86400000).toISOString().slice(0, 10);
}

const text = (name) => form.elements[name].value;
const optional = (name) => (text(name).trim() === "" ? null : text(name));
const flag = (name) => form.elements[name].checked;

function plan() {
  return {
    employeeIdentificationNumber: text("employeeIdentificationNumber").trim(),
    typicalWorkday: text("typicalWorkday"),
    tasksThatCanStillBeDone: text("tasksThatCanStillBeDone"),
    tasksThatCanNotBeDone: text("tasksThatCanNotBeDone"),
    previousFacilitation: text("previousFacilitation"),
    plannedFacilitation: text("plannedFacilitation"),
    otherFacilitationOptions: optional("otherFacilitationOptions"),
    followUp: text("followUp"),
    evaluationDate: text("evaluationDate"),
    sendPlanToNav: flag("sendPlanToNav"),
    needsHelpFromNav: flag("needsHelpFromNav"),
    needsHelpFromNavDescription: optional("needsHelpFromNavDescription"),
    sendPlanToGeneralPractitioner: flag("sendPlanToGeneralPractitioner"),
    messageToGeneralPractitioner: optional("messageToGeneralPractitioner"),
    additionalInformation: optional("additionalInformation"),
    contactPersonFullName: text("contactPersonFullName"),
    contactPersonPhoneNumber: text("contactPersonPhoneNumber"),
    contactPersonEmail: text("contactPersonEmail"),
    employeeHasContributedToPlan: flag("employeeHasContributedToPlan"),
    employeeHasNotContributedToPlanDescription: optional("employeeHasNotContributedToPlanDescription"),
    lpsName: text("lpsName"),
    lpsEmail: optional("lpsEmail"),
  };
}

async function pretty(response) {
  const body = await response.text();
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body; }
}

async function follow(location, token) {
  for (let round = 0; round < 120; round += 1) {
    const response = await fetch(location, { headers: { Authorization: `Bearer ${token}` } });
    const body = await response.text();
    statusView.textContent = `${response.status}\n${(() => { try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body; } })()}`;
    if (response.ok) {
      const state = JSON.parse(body).state;
      finalState.textContent = state;
      finalState.className = state;
      if (["COMPLETED", "REJECTED", "FAILED"].includes(state)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  answer.textContent = "Submitting…";
  statusView.textContent = "";
  finalState.textContent = "";
  finalState.className = "";
  const token = await (await fetch(`/demo/token?org=${encodeURIComponent(text("org"))}`)).text();
  const response = await fetch("/api/v1/followupplan", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Prefer: "respond-async" },
    body: JSON.stringify(plan()),
  });
  answer.textContent = `${response.status} ${response.statusText}\n${await pretty(response)}`;
  const location = response.headers.get("Location");
  if (location) await follow(location, token);
});
