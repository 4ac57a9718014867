{{- define "trueppm.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "trueppm.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "trueppm.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "trueppm.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "trueppm.secretName" -}}
{{- .Values.database.existingSecret | default (include "trueppm.fullname" .) -}}
{{- end -}}

{{/* Environment shared by every TruePPM container. */}}
{{- define "trueppm.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "trueppm.fullname" . }}
  - secretRef:
      name: {{ include "trueppm.secretName" . }}
{{- end -}}

{{/* A Deployment of one TruePPM background process: dict "root" "name" "args" "spec" "probe". */}}
{{- define "trueppm.process" -}}
{{- $root := .root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "trueppm.fullname" $root }}-{{ .name }}
  labels:
    {{- include "trueppm.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .name }}
spec:
  replicas: {{ .spec.replicas | default 1 }}
  {{- if .recreate }}
  strategy:
    type: Recreate
  {{- end }}
  selector:
    matchLabels:
      {{- include "trueppm.selector" (dict "root" $root "component" .name) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "trueppm.selector" (dict "root" $root "component" .name) | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- with .spec.terminationGracePeriodSeconds }}
      terminationGracePeriodSeconds: {{ . }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "trueppm.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: {{ toJson .args }}
          {{- include "trueppm.env" $root | nindent 10 }}
          {{- with .probe }}
          livenessProbe:
            exec:
              command: {{ toJson . }}
            periodSeconds: 30
            timeoutSeconds: 10
            failureThreshold: 3
            initialDelaySeconds: 30
          {{- end }}
          resources:
            {{- toYaml .spec.resources | nindent 12 }}
          volumeMounts:
            - {name: data, mountPath: /var/lib/trueppm}
      volumes:
        - name: data
          emptyDir: {}
{{- end -}}
