"""The print channel: anti-fraud leaflets (宣传单) as print-ready PDF, typeset with Typst."""
