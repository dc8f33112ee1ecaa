#!/usr/bin/env python3
"""Writes the operations section of template.yaml: for every function a log group with
LogRetentionDays, a metric filter counting its ERROR lines (failures, not refusals),
alarms on those, on Lambda errors (where an error is never a deliberate refusal),
throttles and duration near the limit; alarms on the failure counters the triggers
emit; and the dashboard. Rewrites the section between its markers.

  scripts/gen_operations.py
"""

import json
import re
from pathlib import Path

import triggers

# (logical id, short name, condition, timeout ms, deliberate errors): the trigger list.
FUNCS = [(f.logical_id, f.short_name, f.condition, f.timeout_ms, f.deliberate_errors)
         for f in triggers.functions()]
EMF = [("AnalyticsFailures", None, "post-authentication steps that failed (the sign-in went through)"),
       ("AnalyticsUnconfirmed", None, "sign-ins written without an answer within the budget (the table is slow or down)"),
       ("ConfirmationStepFailures", None, "post-confirmation steps that failed (the confirmation went through)"),
       ("PreAuthLookupFailures", None, "pre-authentication lookups that failed (ON_LOOKUP_FAILURE decided)"),
       ("SendFailures", "UsesCustomSenders", "custom sender messages not sent"),
       ("PasswordlessFailures", "Passwordless", "passwordless sign-ins failed by a remote call (table, KMS, SES, SNS, bot check)"),
       ("RoleTableClaimsRefused", None, "role-table rows that named a claim they may not set (cognito:*, the role claim, scope...): the back office wrote one, or someone else did"),
       ("ConfigErrors", None, "settings a trigger switched off at start")]

def cond(c):
    return f"    Condition: {c}\n" if c else ""

def actions():
    return ("      AlarmActions: !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]\n"
            "      TreatMissingData: notBreaching\n")

def lambda_alarm(fid, short, c, kind, metric, stat, threshold, what):
    return (f"  {short}{kind}Alarm:\n    Type: AWS::CloudWatch::Alarm\n{cond(c)}    Properties:\n"
            f"      AlarmDescription: !Sub \"${{{fid}}}: {what}\"\n"
            f"      Namespace: AWS/Lambda\n      MetricName: {metric}\n"
            f"      Dimensions: [{{Name: FunctionName, Value: !Ref {fid}}}]\n"
            f"      Statistic: {stat}\n      Period: 300\n      EvaluationPeriods: 1\n"
            f"      Threshold: {threshold}\n      ComparisonOperator: GreaterThanOrEqualToThreshold\n" + actions() + "\n")

out = []
for fid, short, c, timeout, deliberate in FUNCS:
    out.append(f"  {short}LogGroup:\n    Type: AWS::Logs::LogGroup\n{cond(c)}    Properties:\n"
               f"      LogGroupName: !Sub \"/aws/lambda/${{{fid}}}\"\n      RetentionInDays: !Ref LogRetentionDays\n\n")
    out.append(f"  {short}ErrorLines:\n    Type: AWS::Logs::MetricFilter\n{cond(c)}    Properties:\n"
               f"      LogGroupName: !Ref {short}LogGroup\n      FilterPattern: '{{ $.level = \"ERROR\" }}'\n"
               f"      MetricTransformations:\n        - MetricNamespace: !Sub \"${{MetricsNamespace}}/ErrorLines\"\n"
               f"          MetricName: {short}\n          MetricValue: \"1\"\n          Unit: Count\n\n")
    out.append(f"  {short}ErrorLinesAlarm:\n    Type: AWS::CloudWatch::Alarm\n{cond(c)}    Properties:\n"
               f"      AlarmDescription: !Sub \"${{{fid}}}: an invocation failed (a line logged at ERROR: a failure that is not a refusal)\"\n"
               f"      Namespace: !Sub \"${{MetricsNamespace}}/ErrorLines\"\n      MetricName: {short}\n"
               f"      Statistic: Sum\n      Period: 300\n      EvaluationPeriods: 1\n"
               f"      Threshold: 1\n      ComparisonOperator: GreaterThanOrEqualToThreshold\n" + actions() + "\n")
    if not deliberate:
        out.append(lambda_alarm(fid, short, c, "Errors", "Errors", "Sum", 1, "function errors"))
    out.append(lambda_alarm(fid, short, c, "Throttles", "Throttles", "Sum", 1, "throttled invocations"))
    out.append(lambda_alarm(fid, short, c, "Duration", "Duration", "Maximum", int(timeout * 0.8),
                            f"an invocation took 80% of its {timeout // 1000}-second limit"))
for metric, c, what in EMF:
    out.append(f"  {metric}Alarm:\n    Type: AWS::CloudWatch::Alarm\n{cond(c)}    Properties:\n"
               f"      AlarmDescription: \"{metric}: {what}\"\n"
               f"      Metrics:\n        - Id: total\n"
               f"          Expression: !Sub 'SELECT SUM({metric}) FROM \"${{MetricsNamespace}}\"'\n"
               f"          Period: 300\n          ReturnData: true\n"
               f"      EvaluationPeriods: 1\n      Threshold: 1\n      ComparisonOperator: GreaterThanOrEqualToThreshold\n" + actions() + "\n")


def insights(metric, label):
    return [{"expression": f'SELECT SUM({metric}) FROM "${{MetricsNamespace}}"', "label": label, "id": re.sub(r"\W", "", label.lower()), "period": 300}]
def widget(title, metrics, x, y):
    return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6,
            "properties": {"title": title, "region": "${AWS::Region}", "view": "timeSeries", "stat": "Sum", "period": 300,
                           "metrics": metrics}}
body = {"widgets": [
    widget("Sign-ups refused (pre-signup errors: refusals, and failures)",
           [["AWS/Lambda", "Errors", "FunctionName", "${PreSignupName}", {"label": "pre-signup errors"}]], 0, 0),
    widget("Sign-ins", [insights("SignIns", "sign-ins"), insights("NewDeviceSignIns", "new-device sign-ins")], 12, 0),
    widget("Invocations that logged an error, by function",
           [["${MetricsNamespace}/ErrorLines", short, {"label": short}] for _, short, _, _, _ in FUNCS], 0, 6),
    widget("Steps that failed without failing the user",
           [insights(m, m) for m, _, _ in EMF], 12, 6),
]}
text = json.dumps(body, indent=2, ensure_ascii=False)
out.append("  OperationsDashboard:\n    Type: AWS::CloudWatch::Dashboard\n    Properties:\n"
           "      DashboardName: !Sub \"${AWS::StackName}-cognito-triggers\"\n"
           "      DashboardBody: !Sub\n        - |\n" + "".join("          " + line + "\n" for line in text.splitlines()) +
           "        # The pre-signup function deployed (one of the two builds).\n"
           "        - PreSignupName: !If [LinksFederatedUsers, !Ref PreSignupLinkingFunction, !Ref PreSignupFunction]\n\n")
section = ("  # --- Operations (generated by scripts/gen_operations.py; edit it, not this) -------\n"
           "  # Log retention, a count of ERROR lines (failures that are not refusals: refusals\n"
           "  # log at INFO) per function, alarms, and the dashboard.\n" + "".join(out) +
           "  # --- end of operations --------------------------------------------------------\n\n")
p = Path(__file__).resolve().parent.parent / "template.yaml"
s = open(p).read()
start = s.find("  # --- Operations")
if start >= 0:
    end = s.index("  # --- end of operations", start)
    end = s.index("\n\n", end) + 2
    s = s[:start] + section + s[end:]
else:
    i = s.index("\nOutputs:")
    s = s[:i] + "\n" + section.rstrip("\n") + "\n" + s[i:]
open(p, "w").write(s)
print(len(out), "resources")
