"""The page's stylesheet and script, inline: no external files, fonts or libraries are fetched."""

STYLE = """
*{box-sizing:border-box}
body{margin:0;height:100vh;display:flex;flex-direction:column;font:15px/1.46668 -apple-system,BlinkMacSystemFont,"Segoe UI",Lato,Helvetica,Arial,sans-serif;color:#1d1c1d}
#topbar{display:flex;align-items:center;gap:1em;background:#350d36;color:#fff;padding:.4em 1em}
#topbar .workspace{font-weight:900;font-size:1.1em}#topbar .tag{opacity:.7;font-size:.85em}
#topbar form{margin-left:auto}#topbar select{font-size:.95em}
#layout{display:grid;grid-template-columns:13em minmax(0,1fr) 31em;flex:1;min-height:0}
#sidebar,#main,#side{overflow-y:auto}
#sidebar{background:#3f0e40;color:#cfc3cf;padding:.8em 0}#sidebar a{display:block;color:inherit;text-decoration:none;padding:.15em 1.2em}
#sidebar a:hover{background:#350d36}#sidebar .title{padding:.2em 1.2em;font-weight:700;color:#fff}
#main{padding:0 0 1em;min-width:0}#side{border-left:1px solid #ddd;background:#fafafa;padding:.5em 1em;font-size:.9em}
.panel h3{font-size:1em;margin:.6em 0 .3em}.panel ul{padding-left:1.1em;margin:0;color:#555}
.channel>h2{position:sticky;top:0;background:#fff;margin:0;padding:.5em 1.2em;border-bottom:1px solid #ddd;font-size:1.1em;z-index:1}
.empty{color:#616061;padding:.5em 1.25em}
.day-divider{display:flex;align-items:center;margin:.8em 0;color:#1d1c1d;font-size:.8em;font-weight:700}
.day-divider:before,.day-divider:after{content:"";flex:1;border-top:1px solid #ddd}.day-divider span{border:1px solid #ddd;border-radius:1em;padding:.1em .9em}
.message{display:flex;gap:.6em;padding:.4em 1.25em}.message:hover{background:#f8f8f8}
.avatar{flex:none;width:36px;height:36px;border-radius:6px;background:#2c5f2d;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
.avatar.slackbot{background:#e8912d}.avatar.person{background:#1264a3}
.content{min-width:0;flex:1}.meta{display:flex;align-items:baseline;gap:.4em;flex-wrap:wrap}
.sender{font-weight:900}.badge{background:#e8e8e8;color:#616061;font-size:.65em;font-weight:700;padding:0 .3em;border-radius:2px}
.meta time,.edited{color:#616061;font-size:.78em}
.only-you{color:#616061;font-size:.8em;display:block}.ephemeral .content{border-left:0}
.dismiss{background:none;border:0;color:#1264a3;cursor:pointer;padding:0;font-size:.8em}
.mrkdwn,.header-block{white-space:pre-wrap;word-wrap:break-word}.header-block{font-weight:900;font-size:1.15em;margin:.2em 0}
.section{display:flex;gap:1em;margin:.25em 0}.section>.mrkdwn,.section>.fields{flex:1}.accessory{flex:none}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:.5em 1em}
.context{color:#616061;font-size:.8em;margin:.25em 0;display:flex;gap:.5em;flex-wrap:wrap}
.divider{border:0;border-top:1px solid #ddd;margin:.6em 0}.actions{display:flex;gap:.5em;flex-wrap:wrap;margin:.4em 0}
.btn{border:1px solid #bbb;border-radius:4px;padding:.2em .8em;background:#fff;font:inherit;font-weight:700;font-size:.9em;cursor:pointer}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}.btn.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
span.btn{cursor:default;opacity:.75}
code{color:#c01343;background:#f6f6f6;border:1px solid #ddd;border-radius:3px;padding:0 .2em;font-size:.85em}
pre.code-block{background:#f8f8f8;border:1px solid #ddd;border-radius:4px;padding:.5em;margin:.3em 0;white-space:pre-wrap}
blockquote{margin:.2em 0;padding-left:.8em;border-left:4px solid #ddd}
a{color:#1264a3}.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 .1em}
.mention.special{background:#fff2c2;color:#1d1c1d}.channel-link{color:#1264a3}
.thread{margin:.3em 0 0;border-left:2px solid #e0e0e0}.thread-summary{color:#1264a3;font-size:.8em;font-weight:700;margin:.3em 0 0}
.thread .message{padding-left:.8em}
#composer{margin:1em 1.25em 0;border:1px solid #bbb;border-radius:8px;padding:.5em;display:flex;gap:.5em}
#composer input{flex:1;border:0;font:inherit;outline:none}
#overlay:empty{display:none}#overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;
align-items:flex-start;justify-content:center;padding-top:8vh;z-index:10}
.dialog{background:#fff;border-radius:8px;box-shadow:0 18px 48px rgba(0,0,0,.35);width:32em;max-width:94vw;padding:1em 1.4em}
.dialog h3{margin:0 0 .6em}.dialog form{display:inline}.modal form{display:block}
.dialog-buttons{display:flex;justify-content:flex-end;gap:.5em;margin-top:1em}
.field{display:block;margin:.6em 0}.field .label{display:block;font-weight:700;margin-bottom:.2em}
.field textarea,.field input{width:100%;font:inherit;border:1px solid #bbb;border-radius:4px;padding:.3em}
.panel{border-bottom:1px solid #e4e4e4;padding-bottom:.6em}.panel .hint{margin:.2em 0}
.erp-buttons{display:flex;flex-wrap:wrap;gap:.35em;margin:.4em 0}.answers{list-style:none;padding:0!important}
.answer{border-left:3px solid #2eb67d;padding:.15em .5em;margin:.3em 0;color:#1d1c1d}.answer.refused{border-color:#e01e5a}
table.bills{width:100%;border-collapse:collapse;font-size:.92em}table.bills th{text-align:left;color:#616061;font-weight:700}
table.bills td,table.bills th{padding:.2em .3em}table.bills td:nth-child(1),table.bills td:nth-child(3){white-space:nowrap}table.bills tbody{border-top:1px solid #ddd}.num{text-align:right}
.bill-actions form{display:flex;flex-wrap:wrap;align-items:center;gap:.35em}.bill-actions input{width:6em;font:inherit}
.payments{flex-basis:100%;margin:.1em 0!important}.paid{color:#007a5a;font-weight:700}
button.link{background:none;border:0;color:#1264a3;cursor:pointer;padding:0;font:inherit;text-decoration:underline}
.said{background:#f4ede4;border-radius:4px;padding:.3em .5em}.books{margin-top:.5em}
.optional,.hint{color:#616061;font-size:.85em}.error{color:#e01e5a;font-size:.9em}.unsupported{color:#999}
"""

# Forms marked data-ajax are posted with fetch (the server answers 204 instead of redirecting), then the
# regions are fetched again; a region holding the focused field waits, so typing is never interrupted.
SCRIPT = """
(function(){
  var body=document.body, user=body.dataset.user, version=body.dataset.version, last={}, busy=false;
  document.querySelectorAll('[data-region]').forEach(function(el){last[el.dataset.region]=null;});
  function typing(el){var f=document.activeElement;return f&&el.contains(f)&&/^(INPUT|TEXTAREA|SELECT)$/.test(f.tagName);}
  function apply(data){
    if(!data.regions){return;}
    var held=false;
    Object.keys(data.regions).forEach(function(id){
      var el=document.querySelector('[data-region="'+id+'"]');
      if(!el||last[id]===data.regions[id]){return;}
      if(typing(el)){held=true;return;}
      el.innerHTML=data.regions[id];last[id]=data.regions[id];
    });
    version=held?'':data.version;body.dataset.version=version;
  }
  function refresh(){
    if(busy){return;}busy=true;
    fetch('/_sandbox/page/regions?as='+encodeURIComponent(user)+'&since='+encodeURIComponent(version),
          {headers:{'Accept':'application/json'}})
      .then(function(r){return r.json();}).then(apply).catch(function(){})
      .then(function(){busy=false;});
  }
  function soon(){[0,300,800,1500,3000,5000].forEach(function(ms){setTimeout(refresh,ms);});}
  document.addEventListener('submit',function(ev){
    var form=ev.target;if(!form.hasAttribute('data-ajax')){return;}
    ev.preventDefault();
    var data=new URLSearchParams(new FormData(form));
    if(ev.submitter&&ev.submitter.name){data.append(ev.submitter.name,ev.submitter.value);}
    if(form.id==='composer'){form.querySelector('input[name=command]').value='';}
    var target=(ev.submitter&&ev.submitter.getAttribute('formaction'))||form.action;
    fetch(target,{method:'POST',body:data,headers:{'X-Requested-With':'fetch'}}).then(soon,soon);
  });
  setInterval(refresh,1000);
})();
"""
