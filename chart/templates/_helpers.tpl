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

{{- define "trueppm.connectionName" -}}
{{- printf "%s-connection" (include "trueppm.fullname" .) -}}
{{- end -}}

{{/* The Secret every TruePPM container reads DATABASE_URL, VALKEY_URL and SECRET_KEY from. */}}
{{- define "trueppm.secretName" -}}
{{- .Values.external.existingSecret | default (include "trueppm.connectionName" .) -}}
{{- end -}}

{{/*
The connection values, computed once per render (kept in .Values so that the connection Secret
and the migrations' hook Secret agree): generated passwords and key on a first install, read
back from the existing connection Secret afterwards, so a re-render never churns them.
*/}}
{{- define "trueppm.connection" -}}
{{- if not (hasKey .Values "__connection") -}}
{{- $v := .Values -}}
{{- if and $v.external.existingSecret (or $v.postgresql.enabled $v.valkey.enabled) -}}
{{- fail "external.existingSecret names the Secret of external datastores: set postgresql.enabled=false and valkey.enabled=false with it" -}}
{{- end -}}
{{- $name := include "trueppm.connectionName" . -}}
{{- $old := (lookup "v1" "Secret" .Release.Namespace $name).data | default dict -}}
{{- $c := dict -}}
{{- range $key := list "POSTGRES_PASSWORD" "VALKEY_PASSWORD" "SECRET_KEY" -}}
{{- if hasKey $old $key -}}
{{- $_ := set $c $key (index $old $key | b64dec) -}}
{{- else -}}
{{- $_ := set $c $key (randAlphaNum 48) -}}
{{- end -}}
{{- end -}}
{{- if $v.secretKey -}}
{{- $_ := set $c "SECRET_KEY" $v.secretKey -}}
{{- end -}}
{{- $full := include "trueppm.fullname" . -}}
{{- if $v.postgresql.enabled -}}
{{- $_ := set $c "DATABASE_URL" (printf "postgresql://%s:%s@%s-postgresql:5432/%s" $v.postgresql.username $c.POSTGRES_PASSWORD $full $v.postgresql.database) -}}
{{- else if not $v.external.existingSecret -}}
{{- $_ := set $c "DATABASE_URL" (required "postgresql.enabled is false: set external.databaseUrl (postgresql://user:password@host:5432/trueppm) or external.existingSecret" $v.external.databaseUrl) -}}
{{- end -}}
{{- if $v.valkey.enabled -}}
{{- if $v.valkey.auth.enabled -}}
{{- $_ := set $c "VALKEY_URL" (printf "redis://:%s@%s-valkey:6379/0" $c.VALKEY_PASSWORD $full) -}}
{{- else -}}
{{- $_ := set $c "VALKEY_URL" (printf "redis://%s-valkey:6379/0" $full) -}}
{{- end -}}
{{- else if not $v.external.existingSecret -}}
{{- $_ := set $c "VALKEY_URL" (required "valkey.enabled is false: set external.valkeyUrl (redis://:password@host:6379/0) or external.existingSecret" $v.external.valkeyUrl) -}}
{{- end -}}
{{- $_ := set .Values "__connection" $c -}}
{{- end -}}
{{- toJson (index .Values "__connection") -}}
{{- end -}}

{{/* DATABASE_URL, VALKEY_URL and SECRET_KEY, only ever by secretKeyRef: dict "root" "secret". */}}
{{- define "trueppm.secretEnv" -}}
{{- $secret := .secret | default (include "trueppm.secretName" .root) -}}
{{- range $key := .keys | default (list "DATABASE_URL" "VALKEY_URL" "SECRET_KEY") }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
{{- end }}
{{- end -}}

{{/* Pod-level settings of every pod of the chart (the datastores pass their own user). */}}
{{- define "trueppm.podSpec" -}}
automountServiceAccountToken: false
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml (.securityContext | default .root.Values.podSecurityContext) | nindent 2 }}
{{- with .root.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "trueppm.containerSecurity" -}}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
{{- end -}}

{{/* Writable places under a read-only root filesystem: the data directory and /tmp. */}}
{{- define "trueppm.mounts" -}}
volumeMounts:
  - {name: data, mountPath: /var/lib/trueppm}
  - {name: tmp, mountPath: /tmp}
{{- end -}}

{{- define "trueppm.volumes" -}}
volumes:
  - name: data
    emptyDir: {}
  - name: tmp
    emptyDir: {}
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
      {{- include "trueppm.podSpec" (dict "root" $root) | nindent 6 }}
      {{- with .spec.terminationGracePeriodSeconds }}
      terminationGracePeriodSeconds: {{ . }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "trueppm.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: {{ toJson .args }}
          envFrom:
            - configMapRef:
                name: {{ include "trueppm.fullname" $root }}
          env:
            {{- include "trueppm.secretEnv" (dict "root" $root) | nindent 12 }}
          {{- include "trueppm.containerSecurity" $root | nindent 10 }}
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
          {{- include "trueppm.mounts" $root | nindent 10 }}
      {{- include "trueppm.volumes" $root | nindent 6 }}
{{- end -}}

{{/* Before the new pods when the database is already there; after the first install's objects
(the bundled PostgreSQL among them) otherwise. */}}
{{- define "trueppm.migrationHooks" -}}
{{- if .Values.postgresql.enabled -}}post-install,pre-upgrade{{- else -}}pre-install,pre-upgrade{{- end -}}
{{- end -}}
