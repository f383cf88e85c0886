# bash completion for vmipatch, vmidump, vmilint, mkrom, vmirun, vmirun-i386
# (installed as .../bash-completion/completions/vmipatch, the others linked to it).
# The flags come from each tool's --help, so they never fall out of step.

_vmipatch_flags()
{
	"$1" --help 2>/dev/null | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | tr -d ' ,' | sort -u
}

_vmipatch_complete()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	local tool=${1##*/}

	case $prev in
	--arch|-a)
		COMPREPLY=($(compgen -W 'i386 x86_64' -- "$cur")); return ;;
	--fail-on)
		COMPREPLY=($(compgen -W 'none warning error' -- "$cur")); return ;;
	--jobs|--policy|-p)
		return ;;
	--rom|-r|--symbols|-S|--baseline|--write-baseline|-o|--output|--patcher|--guest)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_vmipatch_flags "$1")" -- "$cur"))
		[[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$cur"))
}

complete -F _vmipatch_complete vmipatch vmidump vmilint mkrom vmirun vmirun-i386
