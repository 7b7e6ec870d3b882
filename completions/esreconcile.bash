# bash completion for esreconcile(1): commands, each command's options, and
# the cluster ids declared in the -f files given on the line so far.
# Installed as share/bash-completion/completions/esreconcile.

# The ids under the top-level `clusters:` of the -f files and directories.
_esreconcile_clusters()
{
	local i word path file
	local -a paths=()

	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		-f | --file) path=${COMP_WORDS[i + 1]} ;;
		--file=*) path=${word#--file=} ;;
		*) continue ;;
		esac
		path=${path/#\~/$HOME}
		for file in "$path" "$path"/*.yaml "$path"/*.yml; do
			[[ -f $file ]] && paths+=("$file")
		done
	done
	((${#paths[@]})) || return 0
	# the keys one level under `clusters:`, whatever the indentation
	awk '/^clusters:[ \t]*(#.*)?$/ { inside = 1; indent = ""; next }
	     /^[^ \t#]/ { inside = 0 }
	     inside && match($0, /^[ \t]+[A-Za-z0-9_-]+:/) {
		lead = $0; sub(/[^ \t].*/, "", lead)
		if (indent == "") indent = lead
		if (lead == indent) { key = substr($0, length(lead) + 1); sub(/:.*/, "", key); print key }
	     }' "${paths[@]}" 2>/dev/null
}

_esreconcile()
{
	local cur prev command subcommand options
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	command=${COMP_WORDS[1]}
	subcommand=${COMP_WORDS[2]}
	COMPREPLY=()

	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "validate plan apply watch export trust render --help --version" -- "$cur"))
		return 0
	fi
	if [[ $command == trust ]] && ((COMP_CWORD == 2)); then
		COMPREPLY=($(compgen -W "check bundle" -- "$cur"))
		return 0
	fi

	case $prev in
	-f | --file)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--cluster)
		COMPREPLY=($(compgen -W "$(_esreconcile_clusters)" -- "$cur"))
		return 0
		;;
	--log-format)
		COMPREPLY=($(compgen -W "text json" -- "$cur"))
		return 0
		;;
	-o | --output)
		if [[ $command == export || $command == render || $subcommand == bundle ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
			compopt -o filenames 2>/dev/null
		else
			COMPREPLY=($(compgen -W "text json" -- "$cur"))
		fi
		return 0
		;;
	--credentials-out)
		COMPREPLY=($(compgen -d -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--out | --report | --metrics-file)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0
		;;
	--interval | --jitter | --wait | --parallel | --probe-parallel | --metrics-listen | --adopt-from)
		return 0
		;;
	esac

	case $command in
	validate) options="-f --file -o --output --require-env --no-color -h --help" ;;
	plan) options="-f --file -o --output --out --cluster --adopt-from --strict --parallel --probe-parallel
		--log-format --no-color -v -h --help" ;;
	apply) options="-f --file --auto-approve --allow-deletes --wait --report -o --output --cluster --adopt-from
		--credentials-out --reload-secure-settings --rotate-keys --retire-keys
		--parallel --probe-parallel --log-format --no-color -v -h --help" ;;
	watch) options="-f --file --interval --jitter --detect-only --allow-deletes --wait --metrics-file
		--metrics-listen --cluster --parallel --probe-parallel --log-format -v -h --help" ;;
	export) options="-f --file --cluster -o --output --log-format -v -h --help" ;;
	render) options="-f --file --cluster --out -o --output -h --help" ;;
	trust)
		if [[ $subcommand == bundle ]]; then
			options="-f --file --cluster --out -o --output -h --help"
		else
			options="-f --file --cluster --parallel -o --output -h --help"
		fi
		;;
	*) return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$options" -- "$cur"))
	elif [[ $command == apply ]]; then
		# the saved plan
		COMPREPLY=($(compgen -f -X '!*.json' -- "$cur"))
		compopt -o filenames 2>/dev/null
	fi
	return 0
}

complete -F _esreconcile esreconcile
